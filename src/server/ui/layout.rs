//! A layered drawing of a DAG, computed on the server (no I/O, deterministic): what the run
//! page turns into SVG. Sugiyama's method, kept small:
//!
//! 1. layers by the longest path from the roots (a node sits one layer right of its deepest
//!    dependency);
//! 2. an edge that spans several layers gets a point-sized dummy in each layer it crosses (up
//!    to a budget; past it, long edges are drawn straight and take no part in ordering);
//! 3. crossing reduction: sweeps down and up that sort each layer by the barycenter of its
//!    neighbours in the layer before, keeping the best order seen (crossings counted exactly
//!    per pair of layers, by inversions);
//! 4. coordinates: x by layer; y by order within the layer, pulled towards the neighbours'
//!    mean and pushed apart so nothing overlaps.
//!
//! Ties are broken by the current position, so the same graph always draws the same way.

/// Width of every node box.
pub const NODE_W: f64 = 176.0;
/// Horizontal gap between layers.
const GAP_X: f64 = 54.0;
/// Vertical gap between boxes of one layer.
const GAP_Y: f64 = 22.0;
/// The height a dummy (a point an edge passes through) takes in its layer.
const DUMMY_H: f64 = 8.0;
/// The margin around the drawing.
pub const MARGIN: f64 = 12.0;
/// Dummies created at most; long edges past this are drawn straight.
const DUMMY_BUDGET: usize = 20_000;
/// Sweep pairs (down then up) of the crossing reduction.
const SWEEPS: usize = 4;

/// A node's box: left, top, and its height (the width is `NODE_W`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub x: f64,
    pub y: f64,
    pub h: f64,
}

/// An edge from `from` to `to` (node indices) through `points` (the first leaves `from`'s
/// right side, the last enters `to`'s left side).
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub points: Vec<(f64, f64)>,
}

/// The drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub nodes: Vec<Place>,
    pub edges: Vec<Edge>,
    pub width: f64,
    pub height: f64,
    /// Each node's layer.
    pub layer: Vec<usize>,
    /// Each layer's members in drawing order (node indices; dummies are `>= nodes.len()`).
    pub order: Vec<Vec<usize>>,
    /// Edge crossings left between adjacent layers (through dummies).
    pub crossings: usize,
}

/// Layers by the longest path from the roots. `deps[v]` are the nodes `v` depends on; an
/// index out of range is ignored, and nodes on a cycle (impossible in a checked spec) go one
/// layer past the others.
pub fn layers(deps: &[Vec<usize>]) -> Vec<usize> {
    let n = deps.len();
    let mut indeg = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (v, ds) in deps.iter().enumerate() {
        for &d in ds.iter().filter(|&&d| d < n && d != v) {
            indeg[v] += 1;
            out[d].push(v);
        }
    }
    let mut layer = vec![0usize; n];
    let mut queue: std::collections::VecDeque<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut seen = 0;
    while let Some(u) = queue.pop_front() {
        seen += 1;
        for &v in &out[u] {
            layer[v] = layer[v].max(layer[u] + 1);
            indeg[v] -= 1;
            if indeg[v] == 0 {
                queue.push_back(v);
            }
        }
    }
    if seen < n {
        let past = layer.iter().copied().max().unwrap_or(0) + 1;
        for v in (0..n).filter(|&v| indeg[v] > 0) {
            layer[v] = past;
        }
    }
    layer
}

/// Crossings between two adjacent layers: `edges` as (position above, position below) pairs.
/// Sorted by the upper end, each inversion of the lower ends is one crossing (O(E log E)).
fn count_crossings(mut edges: Vec<(usize, usize)>) -> usize {
    edges.sort_unstable();
    let lower: Vec<usize> = edges.iter().map(|e| e.1).collect();
    let size = lower.iter().copied().max().map_or(0, |m| m + 1);
    // A Fenwick tree of lower ends seen so far: crossings = those seen that are greater.
    let mut tree = vec![0usize; size + 1];
    let mut crossings = 0;
    for (seen, &p) in lower.iter().enumerate() {
        let mut i = p + 1;
        let mut not_greater = 0;
        while i > 0 {
            not_greater += tree[i];
            i &= i - 1;
        }
        crossings += seen - not_greater;
        let mut i = p + 1;
        while i <= size {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    crossings
}

/// The layered graph with dummies: every vertex's layer, and edges between adjacent layers.
struct Proper {
    layer: Vec<usize>,
    /// Edges (upper vertex, lower vertex) between adjacent layers.
    down: Vec<Vec<usize>>,
    up: Vec<Vec<usize>>,
    /// Each original edge: the chain of vertices it runs through (ends included), or just its
    /// two ends when it is drawn straight.
    chains: Vec<(usize, usize, Vec<usize>)>,
}

fn proper(deps: &[Vec<usize>], layer: &[usize]) -> Proper {
    let n = deps.len();
    let mut all_layer = layer.to_vec();
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut chains = Vec::new();
    let mut budget = DUMMY_BUDGET;
    for (v, ds) in deps.iter().enumerate() {
        let mut ds: Vec<usize> = ds.iter().copied().filter(|&d| d < n && d != v).collect();
        ds.sort_unstable();
        ds.dedup();
        for d in ds {
            if layer[d] >= layer[v] {
                chains.push((d, v, vec![d, v]));
                continue;
            }
            let span = layer[v] - layer[d];
            if span > 1 && span - 1 > budget {
                chains.push((d, v, vec![d, v]));
                continue;
            }
            let mut chain = vec![d];
            let mut prev = d;
            for l in layer[d] + 1..layer[v] {
                budget -= 1;
                let dummy = all_layer.len();
                all_layer.push(l);
                down.push(Vec::new());
                up.push(Vec::new());
                down[prev].push(dummy);
                up[dummy].push(prev);
                chain.push(dummy);
                prev = dummy;
            }
            down[prev].push(v);
            up[v].push(prev);
            chain.push(v);
            chains.push((d, v, chain));
        }
    }
    Proper {
        layer: all_layer,
        down,
        up,
        chains,
    }
}

fn total_crossings(order: &[Vec<usize>], pos: &[usize], down: &[Vec<usize>]) -> usize {
    order
        .iter()
        .map(|members| {
            let pairs: Vec<(usize, usize)> = members
                .iter()
                .flat_map(|&u| down[u].iter().map(move |&w| (pos[u], pos[w])))
                .collect();
            count_crossings(pairs)
        })
        .sum()
}

/// Sort `members` by the mean position of their neighbours in `adj` (a vertex without
/// neighbours keeps its place as its key); ties keep the current order.
fn sort_by_barycenter(members: &mut [usize], adj: &[Vec<usize>], pos: &mut [usize]) {
    let mut keyed: Vec<(f64, usize, usize)> = members
        .iter()
        .map(|&v| {
            let ns = &adj[v];
            let key = if ns.is_empty() {
                pos[v] as f64
            } else {
                ns.iter().map(|&w| pos[w] as f64).sum::<f64>() / ns.len() as f64
            };
            (key, pos[v], v)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (i, (_, _, v)) in keyed.into_iter().enumerate() {
        members[i] = v;
        pos[v] = i;
    }
}

/// Lay out the graph whose node `v` depends on `deps[v]`, with `heights[v]` the height of its
/// box (a missing height is 40).
pub fn layout(deps: &[Vec<usize>], heights: &[f64]) -> Layout {
    let n = deps.len();
    let layer = layers(deps);
    let p = proper(deps, &layer);
    let nv = p.layer.len();
    let layers_n = p.layer.iter().copied().max().map_or(0, |m| m + 1);
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); layers_n];
    for v in 0..nv {
        order[p.layer[v]].push(v);
    }
    let mut pos = vec![0usize; nv];
    for members in &order {
        for (i, &v) in members.iter().enumerate() {
            pos[v] = i;
        }
    }
    let mut best = total_crossings(&order, &pos, &p.down);
    let mut best_order = order.clone();
    for sweep in 0..2 * SWEEPS {
        if best == 0 {
            break;
        }
        if sweep % 2 == 0 {
            for members in order.iter_mut().skip(1) {
                sort_by_barycenter(members, &p.up, &mut pos);
            }
        } else {
            for members in order.iter_mut().rev().skip(1) {
                sort_by_barycenter(members, &p.down, &mut pos);
            }
        }
        let now = total_crossings(&order, &pos, &p.down);
        if now < best {
            best = now;
            best_order = order.clone();
        }
    }
    let order = best_order;
    for members in &order {
        for (i, &v) in members.iter().enumerate() {
            pos[v] = i;
        }
    }
    let height_of = |v: usize| -> f64 {
        if v < n {
            heights.get(v).copied().unwrap_or(40.0)
        } else {
            DUMMY_H
        }
    };
    let ys = coordinates(&order, &p, &height_of);
    let x_of = |l: usize| MARGIN + l as f64 * (NODE_W + GAP_X);
    let nodes: Vec<Place> = (0..n)
        .map(|v| Place {
            x: x_of(layer[v]),
            y: ys[v],
            h: height_of(v),
        })
        .collect();
    let centre = |v: usize| ys[v] + height_of(v) / 2.0;
    let edges = p
        .chains
        .iter()
        .map(|(from, to, chain)| {
            let mut points = vec![(x_of(layer[*from]) + NODE_W, centre(*from))];
            for &d in &chain[1..chain.len() - 1] {
                let x = x_of(p.layer[d]);
                points.push((x, centre(d)));
                points.push((x + NODE_W, centre(d)));
            }
            points.push((x_of(layer[*to]), centre(*to)));
            Edge {
                from: *from,
                to: *to,
                points,
            }
        })
        .collect();
    let height = (0..nv).map(|v| ys[v] + height_of(v)).fold(0.0, f64::max) + MARGIN;
    Layout {
        nodes,
        edges,
        width: x_of(layers_n.max(1) - 1) + NODE_W + MARGIN,
        height: height.max(2.0 * MARGIN),
        layer,
        order,
        crossings: best,
    }
}

/// Tops of every vertex: stacked in order, then a few passes that pull each vertex towards
/// the mean centre of its neighbours in the layer before (down) or after (up), resolved so
/// boxes keep their order and gaps.
fn coordinates(order: &[Vec<usize>], p: &Proper, height_of: &dyn Fn(usize) -> f64) -> Vec<f64> {
    let nv = p.layer.len();
    let mut y = vec![0.0f64; nv];
    for members in order {
        let mut at = MARGIN;
        for &v in members {
            y[v] = at;
            at += height_of(v) + GAP_Y;
        }
    }
    let pass = |y: &mut Vec<f64>, members: &[usize], adj: &[Vec<usize>]| {
        let wanted: Vec<f64> = members
            .iter()
            .map(|&v| {
                let ns = &adj[v];
                if ns.is_empty() {
                    y[v]
                } else {
                    let mean = ns.iter().map(|&w| y[w] + height_of(w) / 2.0).sum::<f64>()
                        / ns.len() as f64;
                    mean - height_of(v) / 2.0
                }
            })
            .collect();
        // Forwards: nothing above its wish or overlapping the one before; then backwards,
        // the ones that were pushed down pull the others up towards their wish.
        let mut placed = wanted.clone();
        let mut floor = MARGIN;
        for (i, &v) in members.iter().enumerate() {
            placed[i] = placed[i].max(floor);
            floor = placed[i] + height_of(v) + GAP_Y;
        }
        for i in (0..members.len().saturating_sub(1)).rev() {
            let ceiling = placed[i + 1] - GAP_Y - height_of(members[i]);
            placed[i] = placed[i]
                .min(ceiling)
                .max(if i == 0 { MARGIN } else { 0.0 });
        }
        let mut floor = MARGIN;
        for (i, &v) in members.iter().enumerate() {
            y[v] = placed[i].max(floor).round();
            floor = y[v] + height_of(v) + GAP_Y;
        }
    };
    // Down, up, down, up, down: the last pass lines each layer up with the one before.
    for round in 0..5 {
        if round % 2 == 0 {
            for members in order.iter().skip(1) {
                pass(&mut y, members, &p.up);
            }
        } else {
            for members in order.iter().rev().skip(1) {
                pass(&mut y, members, &p.down);
            }
        }
    }
    // The passes may drift everything down: the topmost box goes back to the margin.
    let top = y.iter().copied().fold(f64::INFINITY, f64::min);
    if top.is_finite() && top > MARGIN {
        for v in &mut y {
            *v -= top - MARGIN;
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxes(n: usize) -> Vec<f64> {
        vec![40.0; n]
    }

    fn no_overlap(l: &Layout) {
        for (i, a) in l.nodes.iter().enumerate() {
            for b in &l.nodes[i + 1..] {
                if a.x == b.x {
                    assert!(a.y + a.h <= b.y || b.y + b.h <= a.y, "{a:?} overlaps {b:?}");
                }
            }
        }
    }

    #[test]
    fn layers_follow_the_longest_path_from_the_roots() {
        // a -> b -> c, a -> c, d alone, e after c and d.
        let deps = vec![vec![], vec![0], vec![0, 1], vec![], vec![2, 3]];
        assert_eq!(layers(&deps), vec![0, 1, 2, 0, 3]);
        // A cycle (never in a checked spec) does not hang and goes past the rest.
        assert_eq!(layers(&[vec![1], vec![0], vec![]]), vec![1, 1, 0]);
    }

    #[test]
    fn a_chain_and_a_diamond_have_no_crossings() {
        let chain: Vec<Vec<usize>> = (0..20)
            .map(|i| if i == 0 { vec![] } else { vec![i - 1] })
            .collect();
        let l = layout(&chain, &boxes(20));
        assert_eq!(l.crossings, 0);
        assert!(
            l.nodes
                .windows(2)
                .all(|w| w[0].x < w[1].x && w[0].y == w[1].y)
        );
        let diamond = vec![vec![], vec![0], vec![0], vec![1, 2]];
        let l = layout(&diamond, &boxes(4));
        assert_eq!(l.crossings, 0);
        assert_eq!(l.layer, vec![0, 1, 1, 2]);
        no_overlap(&l);
        // The join sits between its two parents.
        let (b, c, d) = (l.nodes[1], l.nodes[2], l.nodes[3]);
        assert!(d.y > b.y.min(c.y) && d.y < b.y.max(c.y), "{l:?}");
        assert_eq!(l.edges.len(), 4);
    }

    #[test]
    fn the_sweeps_remove_a_known_crossing() {
        // Layer 0: a b; layer 1: c d, with a -> d and b -> c: as listed they cross once.
        let deps = vec![vec![], vec![], vec![1], vec![0]];
        let pairs = vec![(0, 1), (1, 0)];
        assert_eq!(count_crossings(pairs), 1);
        let l = layout(&deps, &boxes(4));
        assert_eq!(l.crossings, 0, "{l:?}");
        // A larger case: two fans wired crosswise, through a long edge with dummies.
        let deps = vec![
            vec![],
            vec![],
            vec![],
            vec![2],
            vec![1],
            vec![0],
            vec![3, 4, 5],
            vec![0],
        ];
        let l = layout(&deps, &boxes(8));
        let layer = layers(&deps);
        let p = proper(&deps, &layer);
        let mut unsorted: Vec<Vec<usize>> = vec![Vec::new(); 3];
        for v in 0..p.layer.len() {
            unsorted[p.layer[v]].push(v);
        }
        let mut pos = vec![0; p.layer.len()];
        for m in &unsorted {
            for (i, &v) in m.iter().enumerate() {
                pos[v] = i;
            }
        }
        let before = total_crossings(&unsorted, &pos, &p.down);
        assert!(before > 0);
        assert!(l.crossings < before, "{} !< {before}", l.crossings);
        assert_eq!(l.crossings, 0);
        no_overlap(&l);
    }

    #[test]
    fn the_same_graph_draws_the_same_way() {
        let mut deps = Vec::new();
        for i in 0..60usize {
            let ds: Vec<usize> = (0..i).filter(|j| (i * 7 + j * 13) % 11 == 0).collect();
            deps.push(ds);
        }
        let heights: Vec<f64> = (0..60)
            .map(|i| if i % 5 == 0 { 56.0 } else { 40.0 })
            .collect();
        let a = layout(&deps, &heights);
        let b = layout(&deps, &heights);
        assert_eq!(a, b);
        no_overlap(&a);
        // Edges run left to right and enter the box they point at.
        for e in &a.edges {
            let first = e.points[0];
            let last = *e.points.last().unwrap();
            assert!(first.0 < last.0, "{e:?}");
            assert_eq!(last.0, a.nodes[e.to].x);
        }
    }

    #[test]
    fn crossings_are_counted_exactly() {
        assert_eq!(count_crossings(vec![]), 0);
        assert_eq!(count_crossings(vec![(0, 0), (1, 1), (2, 2)]), 0);
        // Every pair of a reversed matching crosses.
        assert_eq!(count_crossings(vec![(0, 3), (1, 2), (2, 1), (3, 0)]), 6);
        // Edges sharing an end do not cross.
        assert_eq!(count_crossings(vec![(0, 0), (0, 1), (1, 1)]), 0);
    }

    #[test]
    fn ten_thousand_steps_lay_out_in_bounded_time() {
        // What `?draw=1` may ask of the largest spec: each step after one or two of the 40
        // before it.
        let n = 10_000;
        let deps: Vec<Vec<usize>> = (0..n)
            .map(|i: usize| match i {
                0 => vec![],
                _ if i.is_multiple_of(3) => vec![i - 1 - (i * 7) % i.min(40)],
                _ => vec![i - 1, i - 1 - (i * 13) % i.min(40)],
            })
            .collect();
        let started = std::time::Instant::now();
        let l = layout(&deps, &boxes(n));
        assert_eq!(l.nodes.len(), n);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_huge_fan_in_stays_within_the_dummy_budget() {
        // Each node depends on node 0 and on the one before: spans add up to n^2 / 2.
        let n = 400;
        let deps: Vec<Vec<usize>> = (0..n)
            .map(|i| if i < 2 { vec![0; i] } else { vec![0, i - 1] })
            .collect();
        let l = layout(&deps, &boxes(n));
        assert_eq!(l.nodes.len(), n);
        assert_eq!(l.edges.len(), 2 * n - 3);
        let dummies: usize = l.order.iter().map(Vec::len).sum::<usize>() - n;
        assert!(dummies <= DUMMY_BUDGET, "{dummies}");
    }
}
