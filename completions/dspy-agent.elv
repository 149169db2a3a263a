
use builtin;
use str;

set edit:completion:arg-completer[dspy-agent] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'dspy-agent'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'dspy-agent'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand up 'Start services (and their dependencies), health-gated'
            cand down 'Stop and remove services (and what depends on them)'
            cand restart 'Restart services in dependency order, health-gated; what depends on them follows'
            cand pull 'Pull the services'' images ahead of `up`, with progress'
            cand build 'Build the images of services with a `build` section, with progress'
            cand ps 'Show the project''s services: state, health, ports, uptime'
            cand status 'Show the project''s services: state, health, ports, uptime'
            cand logs 'Show the services'' logs, merged'
            cand ports 'Show the host endpoints of running services'
            cand exec 'Run a command inside a running service''s container (a TTY when stdin is one); exits with the command''s exit code'
            cand gpu 'Show the NVIDIA GPUs (NVML, or the simulated inventory) and whose processes use them'
            cand config 'Show or change settings and the service catalog'
            cand serve 'Run the task scheduler (gRPC and HTTP) in the foreground, or with --detach'
            cand store 'Check the task journal, or repair it, without starting the scheduler'
            cand auth 'Manage the scheduler''s access tokens (named tokens with a role)'
            cand audit 'Print the scheduler''s audit log (mutating calls: who, what, outcome)'
            cand submit 'Submit a task to the running scheduler'
            cand worker 'Run tasks of a (possibly remote) scheduler on this machine: a pull worker'
            cand workers 'List the pull workers registered with the scheduler: state, last seen, tasks'
            cand ui 'Print a one-time login link to the running scheduler''s web dashboard'
            cand tasks 'List, inspect and cancel the scheduler''s tasks'
            cand workflows 'Create DAG workflows and start, follow, retry and cancel their runs'
            cand workflow 'Create DAG workflows and start, follow, retry and cancel their runs'
            cand bench 'Measure the scheduler: durable submit throughput, latencies, start delay, idle memory'
            cand completions 'Print a shell completion script'
            cand man 'Write man pages into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;up'= {
            cand -s 'Services to start, comma separated [default: those enabled in config.toml]'
            cand --services 'Services to start, comma separated [default: those enabled in config.toml]'
            cand --wait-timeout 'Override every service''s health timeout, in seconds'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --no-pull 'Never pull: fail when an image is not present locally'
            cand --recreate 'Recreate containers even when their definition is unchanged'
            cand --build 'Build the images of services with a `build` section even when present and current'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;down'= {
            cand -s 'Services to stop, comma separated; their dependents stop too [default: all]'
            cand --services 'Services to stop, comma separated; their dependents stop too [default: all]'
            cand -t 'Seconds to wait for a container to stop before killing it'
            cand --timeout 'Seconds to wait for a container to stop before killing it'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --volumes 'Also remove the project''s named volumes'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;restart'= {
            cand -s 'Services to restart, comma separated; their dependents restart too [default: those enabled in config.toml]'
            cand --services 'Services to restart, comma separated; their dependents restart too [default: those enabled in config.toml]'
            cand -t 'Seconds to wait for a container to stop before killing it'
            cand --timeout 'Seconds to wait for a container to stop before killing it'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;pull'= {
            cand -s 'Services whose images to pull, comma separated [default: those enabled in config.toml]'
            cand --services 'Services whose images to pull, comma separated [default: those enabled in config.toml]'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;build'= {
            cand -s 'Services whose images to build, comma separated [default: every service with a `build` section]'
            cand --services 'Services whose images to build, comma separated [default: every service with a `build` section]'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --no-cache 'Build without the engine''s layer cache'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;ps'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand -a 'Also show services of the catalog that have no container'
            cand --all 'Also show services of the catalog that have no container'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;status'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand -a 'Also show services of the catalog that have no container'
            cand --all 'Also show services of the catalog that have no container'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;logs'= {
            cand -n 'Lines to show from the end of each service''s log'
            cand --tail 'Lines to show from the end of each service''s log'
            cand --since 'Only lines newer than this: seconds since the epoch, or a duration such as 30s, 5m, 2h'
            cand --service 'Only these services (repeatable)'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand -f 'Keep following new lines (and services that start later) until Ctrl-C'
            cand --follow 'Keep following new lines (and services that start later) until Ctrl-C'
            cand -t 'Show each line''s timestamp'
            cand --timestamps 'Show each line''s timestamp'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;ports'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --env 'Print NAME_URL=... lines a shell can evaluate (not with --json)'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;exec'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand -T 'Never allocate a TTY, even when stdin is a terminal'
            cand --no-tty 'Never allocate a TTY, even when stdin is a terminal'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;gpu'= {
            cand -w 'Redraw every S seconds until Ctrl-C (NDJSON, one document a line, off a terminal or with --json)'
            cand --watch 'Redraw every S seconds until Ctrl-C (NDJSON, one document a line, off a terminal or with --json)'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --require 'Exit 1 when there is no GPU (for CI gates)'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;config'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'Print every effective setting with its source (default, file, env, flag)'
            cand init 'Write a commented default config.toml'
            cand path 'Print where the files are'
            cand set 'Validate and write one setting to config.toml (e.g. `ports.redis 6380`)'
            cand services 'Print the resolved service catalog (defaults merged with the services file)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;config;show'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;config;init'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --force 'Overwrite an existing file'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;config;path'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;config;set'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;config;services'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;config;help'= {
            cand show 'Print every effective setting with its source (default, file, env, flag)'
            cand init 'Write a commented default config.toml'
            cand path 'Print where the files are'
            cand set 'Validate and write one setting to config.toml (e.g. `ports.redis 6380`)'
            cand services 'Print the resolved service catalog (defaults merged with the services file)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;config;help;show'= {
        }
        &'dspy-agent;config;help;init'= {
        }
        &'dspy-agent;config;help;path'= {
        }
        &'dspy-agent;config;help;set'= {
        }
        &'dspy-agent;config;help;services'= {
        }
        &'dspy-agent;config;help;help'= {
        }
        &'dspy-agent;serve'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand -d 'Run in the background (log under $DSPY_AGENT_HOME/logs/); return once it answers'
            cand --detach 'Run in the background (log under $DSPY_AGENT_HOME/logs/); return once it answers'
            cand --strict-journal 'Refuse to start when the journal is damaged, instead of keeping a copy and failing the tasks it loses [setting: scheduler.strict_journal]'
            cand --insecure-bind 'Listen on a non-loopback address without TLS (tokens and tasks then cross the network in clear text); warned about on every start'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'Report on the running scheduler'
            cand stop 'Stop the running scheduler gracefully: no new tasks, running ones may finish'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;serve;status'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;serve;stop'= {
            cand -t 'Seconds running tasks may take to finish; unfinished ones stay queued for the next start [default: scheduler.shutdown_timeout_s]'
            cand --timeout 'Seconds running tasks may take to finish; unfinished ones stay queued for the next start [default: scheduler.shutdown_timeout_s]'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;serve;help'= {
            cand status 'Report on the running scheduler'
            cand stop 'Stop the running scheduler gracefully: no new tasks, running ones may finish'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;serve;help;status'= {
        }
        &'dspy-agent;serve;help;stop'= {
        }
        &'dspy-agent;serve;help;help'= {
        }
        &'dspy-agent;store'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check 'Check the journal, reading only: exit 0 when clean, 1 when records are lost'
            cand repair 'Write a clean journal, keeping the damaged one as journal.ndjson.corrupt-<time>; the tasks it names come back failed with `journal record lost`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;store;check'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;store;repair'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;store;help'= {
            cand check 'Check the journal, reading only: exit 0 when clean, 1 when records are lost'
            cand repair 'Write a clean journal, keeping the damaged one as journal.ndjson.corrupt-<time>; the tasks it names come back failed with `journal record lost`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;store;help;check'= {
        }
        &'dspy-agent;store;help;repair'= {
        }
        &'dspy-agent;store;help;help'= {
        }
        &'dspy-agent;auth'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand token 'Named tokens: create (printed once), list, revoke'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;auth;token'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a token and print it (only its hash is stored)'
            cand list 'List the named tokens (names, roles, creation times; never the tokens)'
            cand revoke 'Revoke a named token: calls with it are refused from then on'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;auth;token;create'= {
            cand --role 'admin (everything), submit (submit, read, cancel its own tasks), worker (lease, complete, extend) or read (status, metrics, events)'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;auth;token;list'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;auth;token;revoke'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;auth;token;help'= {
            cand create 'Create a token and print it (only its hash is stored)'
            cand list 'List the named tokens (names, roles, creation times; never the tokens)'
            cand revoke 'Revoke a named token: calls with it are refused from then on'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;auth;token;help;create'= {
        }
        &'dspy-agent;auth;token;help;list'= {
        }
        &'dspy-agent;auth;token;help;revoke'= {
        }
        &'dspy-agent;auth;token;help;help'= {
        }
        &'dspy-agent;auth;help'= {
            cand token 'Named tokens: create (printed once), list, revoke'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;auth;help;token'= {
            cand create 'Create a token and print it (only its hash is stored)'
            cand list 'List the named tokens (names, roles, creation times; never the tokens)'
            cand revoke 'Revoke a named token: calls with it are refused from then on'
        }
        &'dspy-agent;auth;help;token;create'= {
        }
        &'dspy-agent;auth;help;token;list'= {
        }
        &'dspy-agent;auth;help;token;revoke'= {
        }
        &'dspy-agent;auth;help;help'= {
        }
        &'dspy-agent;audit'= {
            cand --since 'Only entries at or after T: an RFC 3339 time (2026-01-02T03:04:05Z) or an age (10m, 2h)'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;submit'= {
            cand -c 'Task class: cpu_short, cpu_long, gpu or gpu_slurm'
            cand --class 'Task class: cpu_short, cpu_long, gpu or gpu_slurm'
            cand --id 'Task id [default: generated by the scheduler]'
            cand -p 'Higher runs first'
            cand --priority 'Higher runs first'
            cand --payload 'The payload, a JSON object (e.g. ''{"command": ["echo", "hi"]}'')'
            cand --payload-file 'Read the payload from a file, or from stdin with `-`'
            cand --max-attempts 'Attempts before the task fails [default: scheduler.max_attempts]'
            cand --timeout 'Seconds the task may run [default: the class''s timeout]'
            cand --gpus 'GPUs the task needs [default: 1 for the gpu class, 0 otherwise]'
            cand --gpu-memory-mb 'Free memory each of its GPUs must have, in MiB [default: any]'
            cand --batch 'Submit many tasks: NDJSON lines of {task_id?, class?, priority?, payload, ...} from a file or stdin (`-`); prints one NDJSON result line per task'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand -w 'Follow the task to its end and print its result (exit 6 when it failed or was cancelled)'
            cand --wait 'Follow the task to its end and print its result (exit 6 when it failed or was cancelled)'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;worker'= {
            cand --server 'The scheduler''s gRPC address (HOST:PORT); TLS when DSPY_AGENT_TLS_CA or the home''s tls/ca.pem names its CA'
            cand --classes 'Task classes to take, comma-separated [default: every class]'
            cand --concurrency 'Tasks run at once'
            cand --gpus 'GPUs offered: none, auto (this machine''s GPUs, as `dspy-agent gpu` lists them), or comma-separated UUIDs'
            cand --name 'The worker''s name [default: HOST-PID]'
            cand --lease-seconds 'Lease length in seconds (extended while a task runs)'
            cand --drain-seconds 'After SIGTERM, seconds running tasks may take before they are stopped and handed back'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workers'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;ui'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --open 'Also open the link in the desktop''s browser (xdg-open, or open on macOS)'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;tasks'= {
            cand --status 'Only tasks in this status: queued, running, completed, failed, cancelled'
            cand --class 'Only tasks of this class'
            cand -n 'At most this many, newest first'
            cand --limit 'At most this many, newest first'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'Show one task with its result'
            cand cancel 'Cancel a queued or running task'
            cand retry 'Queue a failed or cancelled task again, with its attempts granted again (the attempt number keeps counting) and its original payload'
            cand why 'Say what holds a task back: its class''s limit, tasks ahead, GPUs, workers, a retry backoff or its Slurm job''s reason'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;tasks;show'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;tasks;cancel'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;tasks;retry'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;tasks;why'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;tasks;help'= {
            cand show 'Show one task with its result'
            cand cancel 'Cancel a queued or running task'
            cand retry 'Queue a failed or cancelled task again, with its attempts granted again (the attempt number keeps counting) and its original payload'
            cand why 'Say what holds a task back: its class''s limit, tasks ahead, GPUs, workers, a retry backoff or its Slurm job''s reason'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;tasks;help;show'= {
        }
        &'dspy-agent;tasks;help;cancel'= {
        }
        &'dspy-agent;tasks;help;retry'= {
        }
        &'dspy-agent;tasks;help;why'= {
        }
        &'dspy-agent;tasks;help;help'= {
        }
        &'dspy-agent;workflows'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server'
            cand run 'Start a run of a workflow (idempotent with --run-id)'
            cand status 'Show a run as a tree of steps with status, duration and map counts'
            cand retry 'Run again what failed (or, with --from, a step and everything downstream)'
            cand cancel 'Cancel a run: queued tasks are dropped, running ones killed'
            cand list 'List runs, newest first'
            cand show 'Draw a run''s graph, coloured by status, for Graphviz or a Markdown page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;workflow'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server'
            cand run 'Start a run of a workflow (idempotent with --run-id)'
            cand status 'Show a run as a tree of steps with status, duration and map counts'
            cand retry 'Run again what failed (or, with --from, a step and everything downstream)'
            cand cancel 'Cancel a run: queued tasks are dropped, running ones killed'
            cand list 'List runs, newest first'
            cand show 'Draw a run''s graph, coloured by status, for Graphviz or a Markdown page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;workflows;create'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflow;create'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflows;run'= {
            cand --run-id 'The run''s id; the same id, spec and params give back the existing run'
            cand -p 'A param as KEY=VALUE (VALUE is JSON, or else a string); repeatable'
            cand --param 'A param as KEY=VALUE (VALUE is JSON, or else a string); repeatable'
            cand --on-conflict 'What an existing run id with another spec or params does: error, or allow_if_failed (a new attempt of a failed or cancelled run)'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --wait 'Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflow;run'= {
            cand --run-id 'The run''s id; the same id, spec and params give back the existing run'
            cand -p 'A param as KEY=VALUE (VALUE is JSON, or else a string); repeatable'
            cand --param 'A param as KEY=VALUE (VALUE is JSON, or else a string); repeatable'
            cand --on-conflict 'What an existing run id with another spec or params does: error, or allow_if_failed (a new attempt of a failed or cancelled run)'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --wait 'Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflows;status'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflow;status'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflows;retry'= {
            cand --from 'Run this step and everything downstream of it again'
            cand -p 'Override a param for the re-run as KEY=VALUE; repeatable'
            cand --param 'Override a param for the re-run as KEY=VALUE; repeatable'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --wait 'Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflow;retry'= {
            cand --from 'Run this step and everything downstream of it again'
            cand -p 'Override a param for the re-run as KEY=VALUE; repeatable'
            cand --param 'Override a param for the re-run as KEY=VALUE; repeatable'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --wait 'Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflows;cancel'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflow;cancel'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflows;list'= {
            cand --workflow 'Only runs of this workflow'
            cand -n 'At most this many'
            cand --limit 'At most this many'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflow;list'= {
            cand --workflow 'Only runs of this workflow'
            cand -n 'At most this many'
            cand --limit 'At most this many'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflows;show'= {
            cand --format 'format'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflow;show'= {
            cand --format 'format'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;workflows;help'= {
            cand create 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server'
            cand run 'Start a run of a workflow (idempotent with --run-id)'
            cand status 'Show a run as a tree of steps with status, duration and map counts'
            cand retry 'Run again what failed (or, with --from, a step and everything downstream)'
            cand cancel 'Cancel a run: queued tasks are dropped, running ones killed'
            cand list 'List runs, newest first'
            cand show 'Draw a run''s graph, coloured by status, for Graphviz or a Markdown page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;workflows;help;create'= {
        }
        &'dspy-agent;workflows;help;run'= {
        }
        &'dspy-agent;workflows;help;status'= {
        }
        &'dspy-agent;workflows;help;retry'= {
        }
        &'dspy-agent;workflows;help;cancel'= {
        }
        &'dspy-agent;workflows;help;list'= {
        }
        &'dspy-agent;workflows;help;show'= {
        }
        &'dspy-agent;workflows;help;help'= {
        }
        &'dspy-agent;workflow;help'= {
            cand create 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server'
            cand run 'Start a run of a workflow (idempotent with --run-id)'
            cand status 'Show a run as a tree of steps with status, duration and map counts'
            cand retry 'Run again what failed (or, with --from, a step and everything downstream)'
            cand cancel 'Cancel a run: queued tasks are dropped, running ones killed'
            cand list 'List runs, newest first'
            cand show 'Draw a run''s graph, coloured by status, for Graphviz or a Markdown page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;workflow;help;create'= {
        }
        &'dspy-agent;workflow;help;run'= {
        }
        &'dspy-agent;workflow;help;status'= {
        }
        &'dspy-agent;workflow;help;retry'= {
        }
        &'dspy-agent;workflow;help;cancel'= {
        }
        &'dspy-agent;workflow;help;list'= {
        }
        &'dspy-agent;workflow;help;show'= {
        }
        &'dspy-agent;workflow;help;help'= {
        }
        &'dspy-agent;bench'= {
            cand --submissions 'Submissions for the throughput run'
            cand --concurrency 'Requests in flight for the throughput run'
            cand --samples 'Samples for each single-client latency run'
            cand --starts 'Tasks for the submission-to-start run'
            cand --slurm 'Instead: N no-op gpu_slurm tasks on the Slurm cluster, against a naive sbatch loop with per-job squeue polling'
            cand --slurm-poll-interval-s 'slurm.poll_interval_s of the server in the --slurm run'
            cand --chain-steps 'Steps in the workflow chain'
            cand --map-items 'Items in the workflow map'
            cand --batch-submissions 'Tasks submitted in the SubmitTasks throughput run'
            cand --batch-size 'Tasks per SubmitTasks call'
            cand --batch-in-flight 'SubmitTasks calls in flight in the throughput run, each on its own connection'
            cand --worker-tasks 'No-op tasks in each end-to-end run (serve itself, then the workers)'
            cand --ui 'Measure the web dashboard instead: its pages over HTTP with this many tasks stored, then durable submissions/s (--submissions, --concurrency) with 0 and with 5 live dashboards open'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --auth 'Also measure throughput and SubmitTask latency with a named `submit` token (tokens are always checked; the first run uses the home''s own), on a second server in the same run'
            cand --tls 'Also measure throughput and SubmitTask latency over TLS (self-signed, verified), on a second server in the same run'
            cand --workflows 'Measure workflows instead: a chain of no-op steps and a map on 4 pull workers, beside the scheduler''s own task rate on the same workers'
            cand --workers 'Measure batch submission and remote workers instead: SubmitTasks throughput, then no-op command tasks run by serve itself and by 3 `dspy-agent worker` processes'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;completions'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;man'= {
            cand --out 'Directory to write the pages into'
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
            cand --progress 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise'
            cand --env-file 'Variables for `${VAR}` in the services file [default: .env beside the services file]'
            cand --json 'Print machine-readable JSON on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Print only data and errors: no progress, no warnings'
            cand --quiet 'Print only data and errors: no progress, no warnings'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dspy-agent;help'= {
            cand up 'Start services (and their dependencies), health-gated'
            cand down 'Stop and remove services (and what depends on them)'
            cand restart 'Restart services in dependency order, health-gated; what depends on them follows'
            cand pull 'Pull the services'' images ahead of `up`, with progress'
            cand build 'Build the images of services with a `build` section, with progress'
            cand ps 'Show the project''s services: state, health, ports, uptime'
            cand logs 'Show the services'' logs, merged'
            cand ports 'Show the host endpoints of running services'
            cand exec 'Run a command inside a running service''s container (a TTY when stdin is one); exits with the command''s exit code'
            cand gpu 'Show the NVIDIA GPUs (NVML, or the simulated inventory) and whose processes use them'
            cand config 'Show or change settings and the service catalog'
            cand serve 'Run the task scheduler (gRPC and HTTP) in the foreground, or with --detach'
            cand store 'Check the task journal, or repair it, without starting the scheduler'
            cand auth 'Manage the scheduler''s access tokens (named tokens with a role)'
            cand audit 'Print the scheduler''s audit log (mutating calls: who, what, outcome)'
            cand submit 'Submit a task to the running scheduler'
            cand worker 'Run tasks of a (possibly remote) scheduler on this machine: a pull worker'
            cand workers 'List the pull workers registered with the scheduler: state, last seen, tasks'
            cand ui 'Print a one-time login link to the running scheduler''s web dashboard'
            cand tasks 'List, inspect and cancel the scheduler''s tasks'
            cand workflows 'Create DAG workflows and start, follow, retry and cancel their runs'
            cand bench 'Measure the scheduler: durable submit throughput, latencies, start delay, idle memory'
            cand completions 'Print a shell completion script'
            cand man 'Write man pages into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;help;up'= {
        }
        &'dspy-agent;help;down'= {
        }
        &'dspy-agent;help;restart'= {
        }
        &'dspy-agent;help;pull'= {
        }
        &'dspy-agent;help;build'= {
        }
        &'dspy-agent;help;ps'= {
        }
        &'dspy-agent;help;logs'= {
        }
        &'dspy-agent;help;ports'= {
        }
        &'dspy-agent;help;exec'= {
        }
        &'dspy-agent;help;gpu'= {
        }
        &'dspy-agent;help;config'= {
            cand show 'Print every effective setting with its source (default, file, env, flag)'
            cand init 'Write a commented default config.toml'
            cand path 'Print where the files are'
            cand set 'Validate and write one setting to config.toml (e.g. `ports.redis 6380`)'
            cand services 'Print the resolved service catalog (defaults merged with the services file)'
        }
        &'dspy-agent;help;config;show'= {
        }
        &'dspy-agent;help;config;init'= {
        }
        &'dspy-agent;help;config;path'= {
        }
        &'dspy-agent;help;config;set'= {
        }
        &'dspy-agent;help;config;services'= {
        }
        &'dspy-agent;help;serve'= {
            cand status 'Report on the running scheduler'
            cand stop 'Stop the running scheduler gracefully: no new tasks, running ones may finish'
        }
        &'dspy-agent;help;serve;status'= {
        }
        &'dspy-agent;help;serve;stop'= {
        }
        &'dspy-agent;help;store'= {
            cand check 'Check the journal, reading only: exit 0 when clean, 1 when records are lost'
            cand repair 'Write a clean journal, keeping the damaged one as journal.ndjson.corrupt-<time>; the tasks it names come back failed with `journal record lost`'
        }
        &'dspy-agent;help;store;check'= {
        }
        &'dspy-agent;help;store;repair'= {
        }
        &'dspy-agent;help;auth'= {
            cand token 'Named tokens: create (printed once), list, revoke'
        }
        &'dspy-agent;help;auth;token'= {
            cand create 'Create a token and print it (only its hash is stored)'
            cand list 'List the named tokens (names, roles, creation times; never the tokens)'
            cand revoke 'Revoke a named token: calls with it are refused from then on'
        }
        &'dspy-agent;help;auth;token;create'= {
        }
        &'dspy-agent;help;auth;token;list'= {
        }
        &'dspy-agent;help;auth;token;revoke'= {
        }
        &'dspy-agent;help;audit'= {
        }
        &'dspy-agent;help;submit'= {
        }
        &'dspy-agent;help;worker'= {
        }
        &'dspy-agent;help;workers'= {
        }
        &'dspy-agent;help;ui'= {
        }
        &'dspy-agent;help;tasks'= {
            cand show 'Show one task with its result'
            cand cancel 'Cancel a queued or running task'
            cand retry 'Queue a failed or cancelled task again, with its attempts granted again (the attempt number keeps counting) and its original payload'
            cand why 'Say what holds a task back: its class''s limit, tasks ahead, GPUs, workers, a retry backoff or its Slurm job''s reason'
        }
        &'dspy-agent;help;tasks;show'= {
        }
        &'dspy-agent;help;tasks;cancel'= {
        }
        &'dspy-agent;help;tasks;retry'= {
        }
        &'dspy-agent;help;tasks;why'= {
        }
        &'dspy-agent;help;workflows'= {
            cand create 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server'
            cand run 'Start a run of a workflow (idempotent with --run-id)'
            cand status 'Show a run as a tree of steps with status, duration and map counts'
            cand retry 'Run again what failed (or, with --from, a step and everything downstream)'
            cand cancel 'Cancel a run: queued tasks are dropped, running ones killed'
            cand list 'List runs, newest first'
            cand show 'Draw a run''s graph, coloured by status, for Graphviz or a Markdown page'
        }
        &'dspy-agent;help;workflows;create'= {
        }
        &'dspy-agent;help;workflows;run'= {
        }
        &'dspy-agent;help;workflows;status'= {
        }
        &'dspy-agent;help;workflows;retry'= {
        }
        &'dspy-agent;help;workflows;cancel'= {
        }
        &'dspy-agent;help;workflows;list'= {
        }
        &'dspy-agent;help;workflows;show'= {
        }
        &'dspy-agent;help;bench'= {
        }
        &'dspy-agent;help;completions'= {
        }
        &'dspy-agent;help;man'= {
        }
        &'dspy-agent;help;help'= {
        }
    ]
    $completions[$command]
}
