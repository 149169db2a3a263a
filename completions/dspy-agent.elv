
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
            cand ps 'Show the project''s services: state, health, ports, uptime'
            cand status 'Show the project''s services: state, health, ports, uptime'
            cand logs 'Show the services'' logs, merged'
            cand ports 'Show the host endpoints of running services'
            cand config 'Show or change settings and the service catalog'
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
            cand --no-pull 'Never pull: fail when an image is not present locally'
            cand --recreate 'Recreate containers even when their definition is unchanged'
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
        &'dspy-agent;ps'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
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
            cand --env 'Print NAME_URL=... lines a shell can evaluate'
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
        &'dspy-agent;completions'= {
            cand --project 'Project name: prefixes container, network and volume names'
            cand --home 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]'
            cand --services-file 'Services file to use instead of $DSPY_AGENT_HOME/services.toml'
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
            cand ps 'Show the project''s services: state, health, ports, uptime'
            cand logs 'Show the services'' logs, merged'
            cand ports 'Show the host endpoints of running services'
            cand config 'Show or change settings and the service catalog'
            cand completions 'Print a shell completion script'
            cand man 'Write man pages into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dspy-agent;help;up'= {
        }
        &'dspy-agent;help;down'= {
        }
        &'dspy-agent;help;ps'= {
        }
        &'dspy-agent;help;logs'= {
        }
        &'dspy-agent;help;ports'= {
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
        &'dspy-agent;help;completions'= {
        }
        &'dspy-agent;help;man'= {
        }
        &'dspy-agent;help;help'= {
        }
    ]
    $completions[$command]
}
