//! The six services of ARCHITECTURE.md, before any services file or setting applies.

use std::collections::BTreeMap;

use super::model::{
    Catalog, GpuMode, HealthCheck, HealthKind, PortMapping, Resources, Service, VolumeMount,
};

fn service(
    name: &str,
    image: &str,
    port: u16,
    health: HealthKind,
    path: &str,
    depends_on: &[&str],
    gpu: GpuMode,
) -> Service {
    Service {
        name: name.into(),
        image: image.into(),
        command: None,
        ports: vec![PortMapping {
            host: port,
            container: port,
        }],
        env: BTreeMap::new(),
        volumes: vec![],
        depends_on: depends_on.iter().map(|s| s.to_string()).collect(),
        gpu,
        init: true,
        health: HealthCheck {
            kind: health,
            port: Some(port),
            path: path.into(),
            timeout_s: 60.0,
        },
        resources: Resources::default(),
        // Infrastructure that agents rely on comes back after a crash.
        restart: "unless-stopped".into(),
        build: None,
    }
}

/// The six services of ARCHITECTURE.md with their ports, health checks and dependencies.
pub fn defaults() -> Catalog {
    use HealthKind::{Http, Redis};
    let none = GpuMode::None;
    let mut redis = service("redis", "redis:7-alpine", 6379, Redis, "", &[], none);
    redis.volumes.push(VolumeMount {
        name: "data".into(),
        path: "/data".into(),
    });
    let mut ollama = service(
        "ollama",
        "ollama/ollama:latest",
        11434,
        Http,
        "/api/tags",
        &[],
        GpuMode::Auto,
    );
    ollama.volumes.push(VolumeMount {
        name: "models".into(),
        path: "/root/.ollama".into(),
    });
    ollama.health.timeout_s = 120.0;
    let services = [
        redis,
        service(
            "reddb",
            "dspy-lightweight:latest",
            8080,
            Http,
            "/health",
            &[],
            none,
        ),
        service(
            "infermesh-node-a",
            "official-infermesh:latest",
            19001,
            Http,
            "/health",
            &["redis"],
            none,
        ),
        service(
            "infermesh-node-b",
            "official-infermesh:latest",
            19002,
            Http,
            "/health",
            &["redis"],
            none,
        ),
        service(
            "infermesh-router",
            "official-infermesh:latest",
            19000,
            Http,
            "/health",
            &["infermesh-node-a", "infermesh-node-b"],
            none,
        ),
        ollama,
    ];
    Catalog {
        services: services.into_iter().map(|s| (s.name.clone(), s)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_architecture() {
        let c = defaults();
        let names: Vec<_> = c.services.keys().cloned().collect();
        assert_eq!(
            names,
            [
                "infermesh-node-a",
                "infermesh-node-b",
                "infermesh-router",
                "ollama",
                "reddb",
                "redis"
            ]
        );
        assert_eq!(c.services["redis"].ports[0].host, 6379);
        assert_eq!(c.services["redis"].health.kind, HealthKind::Redis);
        assert_eq!(c.services["reddb"].health.path, "/health");
        assert_eq!(c.services["ollama"].health.path, "/api/tags");
        assert_eq!(c.services["ollama"].gpu, GpuMode::Auto);
        assert_eq!(
            c.services["infermesh-router"].depends_on,
            ["infermesh-node-a", "infermesh-node-b"]
        );
        assert_eq!(c.services["infermesh-node-b"].depends_on, ["redis"]);
        assert_eq!(c.services["infermesh-router"].ports[0].host, 19000);
    }
}
