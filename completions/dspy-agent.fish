# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_dspy_agent_global_optspecs
    string join \n json v/verbose q/quiet project= home= services-file= progress= env-file= h/help V/version
end

function __fish_dspy_agent_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_dspy_agent_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_dspy_agent_using_subcommand
    set -l cmd (__fish_dspy_agent_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "up" -d 'Start services (and their dependencies), health-gated'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "down" -d 'Stop and remove services (and what depends on them)'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "restart" -d 'Restart services in dependency order, health-gated; what depends on them follows'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "pull" -d 'Pull the services\' images ahead of `up`, with progress'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "build" -d 'Build the images of services with a `build` section, with progress'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "ps" -d 'Show the project\'s services: state, health, ports, uptime'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "status" -d 'Show the project\'s services: state, health, ports, uptime'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "logs" -d 'Show the services\' logs, merged'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "ports" -d 'Show the host endpoints of running services'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "exec" -d 'Run a command inside a running service\'s container (a TTY when stdin is one); exits with the command\'s exit code'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "gpu" -d 'Show the NVIDIA GPUs (NVML, or the simulated inventory) and whose processes use them'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "config" -d 'Show or change settings and the service catalog'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "serve" -d 'Run the task scheduler (gRPC and HTTP) in the foreground, or with --detach'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "store" -d 'Check the task journal, or repair it, without starting the scheduler'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "auth" -d 'Manage the scheduler\'s access tokens (named tokens with a role)'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "audit" -d 'Print the scheduler\'s audit log (mutating calls: who, what, outcome)'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "submit" -d 'Submit a task to the running scheduler'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "worker" -d 'Run tasks of a (possibly remote) scheduler on this machine: a pull worker'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "workers" -d 'List the pull workers registered with the scheduler: state, last seen, tasks'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "ui" -d 'Print a one-time login link to the running scheduler\'s web dashboard'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "tasks" -d 'List, inspect and cancel the scheduler\'s tasks'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "workflows" -d 'Create DAG workflows and start, follow, retry and cancel their runs'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "workflow" -d 'Create DAG workflows and start, follow, retry and cancel their runs'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "bench" -d 'Measure the scheduler: durable submit throughput, latencies, start delay, idle memory'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "man" -d 'Write man pages into a directory'
complete -c dspy-agent -n "__fish_dspy_agent_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -s s -l services -d 'Services to start, comma separated [default: those enabled in config.toml]' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -l wait-timeout -d 'Override every service\'s health timeout, in seconds' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -l no-pull -d 'Never pull: fail when an image is not present locally'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -l recreate -d 'Recreate containers even when their definition is unchanged'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -l build -d 'Build the images of services with a `build` section even when present and current'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand up" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand down" -s s -l services -d 'Services to stop, comma separated; their dependents stop too [default: all]' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand down" -s t -l timeout -d 'Seconds to wait for a container to stop before killing it' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand down" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand down" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand down" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand down" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand down" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand down" -l volumes -d 'Also remove the project\'s named volumes'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand down" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand down" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand down" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand down" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand down" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand restart" -s s -l services -d 'Services to restart, comma separated; their dependents restart too [default: those enabled in config.toml]' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand restart" -s t -l timeout -d 'Seconds to wait for a container to stop before killing it' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand restart" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand restart" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand restart" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand restart" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand restart" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand restart" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand restart" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand restart" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand restart" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand restart" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand pull" -s s -l services -d 'Services whose images to pull, comma separated [default: those enabled in config.toml]' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand pull" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand pull" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand pull" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand pull" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand pull" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand pull" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand pull" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand pull" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand pull" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand pull" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand build" -s s -l services -d 'Services whose images to build, comma separated [default: every service with a `build` section]' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand build" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand build" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand build" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand build" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand build" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand build" -l no-cache -d 'Build without the engine\'s layer cache'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand build" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand build" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand build" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand build" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand build" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ps" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ps" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ps" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ps" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ps" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ps" -s a -l all -d 'Also show services of the catalog that have no container'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ps" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ps" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ps" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ps" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ps" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand status" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand status" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand status" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand status" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand status" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand status" -s a -l all -d 'Also show services of the catalog that have no container'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand status" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand status" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand status" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand status" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand status" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -s n -l tail -d 'Lines to show from the end of each service\'s log' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -l since -d 'Only lines newer than this: seconds since the epoch, or a duration such as 30s, 5m, 2h' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -l service -d 'Only these services (repeatable)' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -s f -l follow -d 'Keep following new lines (and services that start later) until Ctrl-C'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -s t -l timestamps -d 'Show each line\'s timestamp'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand logs" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ports" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ports" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ports" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ports" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ports" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ports" -l env -d 'Print NAME_URL=... lines a shell can evaluate (not with --json)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ports" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ports" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ports" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ports" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ports" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand exec" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand exec" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand exec" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand exec" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand exec" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand exec" -s T -l no-tty -d 'Never allocate a TTY, even when stdin is a terminal'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand exec" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand exec" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand exec" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand exec" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand exec" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand gpu" -s w -l watch -d 'Redraw every S seconds until Ctrl-C (NDJSON, one document a line, off a terminal or with --json)' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand gpu" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand gpu" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand gpu" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand gpu" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand gpu" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand gpu" -l require -d 'Exit 1 when there is no GPU (for CI gates)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand gpu" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand gpu" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand gpu" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand gpu" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand gpu" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -f -a "show" -d 'Print every effective setting with its source (default, file, env, flag)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -f -a "init" -d 'Write a commented default config.toml'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -f -a "path" -d 'Print where the files are'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -f -a "set" -d 'Validate and write one setting to config.toml (e.g. `ports.redis 6380`)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -f -a "services" -d 'Print the resolved service catalog (defaults merged with the services file)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and not __fish_seen_subcommand_from show init path set services help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from show" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from show" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from show" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from show" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from show" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from init" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from init" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from init" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from init" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from init" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from init" -l force -d 'Overwrite an existing file'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from init" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from init" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from path" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from path" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from path" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from path" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from path" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from path" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from path" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from path" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from set" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from set" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from set" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from set" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from set" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from set" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from set" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from services" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from services" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from services" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from services" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from services" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from services" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from services" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from services" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from services" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from services" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print every effective setting with its source (default, file, env, flag)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "init" -d 'Write a commented default config.toml'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print where the files are'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set" -d 'Validate and write one setting to config.toml (e.g. `ports.redis 6380`)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "services" -d 'Print the resolved service catalog (defaults merged with the services file)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -s d -l detach -d 'Run in the background (log under $DSPY_AGENT_HOME/logs/); return once it answers'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -l strict-journal -d 'Refuse to start when the journal is damaged, instead of keeping a copy and failing the tasks it loses [setting: scheduler.strict_journal]'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -l insecure-bind -d 'Listen on a non-loopback address without TLS (tokens and tasks then cross the network in clear text); warned about on every start'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -f -a "status" -d 'Report on the running scheduler'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -f -a "stop" -d 'Stop the running scheduler gracefully: no new tasks, running ones may finish'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and not __fish_seen_subcommand_from status stop help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from status" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from status" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from status" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from status" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from status" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from status" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from stop" -s t -l timeout -d 'Seconds running tasks may take to finish; unfinished ones stay queued for the next start [default: scheduler.shutdown_timeout_s]' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from stop" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from stop" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from stop" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from stop" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from stop" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from stop" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from stop" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from stop" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "status" -d 'Report on the running scheduler'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop the running scheduler gracefully: no new tasks, running ones may finish'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and not __fish_seen_subcommand_from check repair help" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and not __fish_seen_subcommand_from check repair help" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and not __fish_seen_subcommand_from check repair help" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and not __fish_seen_subcommand_from check repair help" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and not __fish_seen_subcommand_from check repair help" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and not __fish_seen_subcommand_from check repair help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and not __fish_seen_subcommand_from check repair help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and not __fish_seen_subcommand_from check repair help" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and not __fish_seen_subcommand_from check repair help" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and not __fish_seen_subcommand_from check repair help" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and not __fish_seen_subcommand_from check repair help" -f -a "check" -d 'Check the journal, reading only: exit 0 when clean, 1 when records are lost'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and not __fish_seen_subcommand_from check repair help" -f -a "repair" -d 'Write a clean journal, keeping the damaged one as journal.ndjson.corrupt-<time>; the tasks it names come back failed with `journal record lost`'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and not __fish_seen_subcommand_from check repair help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from check" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from check" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from check" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from check" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from check" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from check" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from check" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from repair" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from repair" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from repair" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from repair" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from repair" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from repair" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from repair" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from repair" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from repair" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from repair" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check the journal, reading only: exit 0 when clean, 1 when records are lost'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "repair" -d 'Write a clean journal, keeping the damaged one as journal.ndjson.corrupt-<time>; the tasks it names come back failed with `journal record lost`'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and not __fish_seen_subcommand_from token help" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and not __fish_seen_subcommand_from token help" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and not __fish_seen_subcommand_from token help" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and not __fish_seen_subcommand_from token help" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and not __fish_seen_subcommand_from token help" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and not __fish_seen_subcommand_from token help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and not __fish_seen_subcommand_from token help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and not __fish_seen_subcommand_from token help" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and not __fish_seen_subcommand_from token help" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and not __fish_seen_subcommand_from token help" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and not __fish_seen_subcommand_from token help" -f -a "token" -d 'Named tokens: create (printed once), list, revoke'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and not __fish_seen_subcommand_from token help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -f -a "create" -d 'Create a token and print it (only its hash is stored)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -f -a "list" -d 'List the named tokens (names, roles, creation times; never the tokens)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -f -a "revoke" -d 'Revoke a named token: calls with it are refused from then on'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from token" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "token" -d 'Named tokens: create (printed once), list, revoke'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand audit" -l since -d 'Only entries at or after T: an RFC 3339 time (2026-01-02T03:04:05Z) or an age (10m, 2h)' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand audit" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand audit" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand audit" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand audit" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand audit" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand audit" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand audit" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand audit" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand audit" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand audit" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -s c -l class -d 'Task class: cpu_short, cpu_long, gpu or gpu_slurm' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l id -d 'Task id [default: generated by the scheduler]' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -s p -l priority -d 'Higher runs first' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l payload -d 'The payload, a JSON object (e.g. \'{"command": ["echo", "hi"]}\')' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l payload-file -d 'Read the payload from a file, or from stdin with `-`' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l max-attempts -d 'Attempts before the task fails [default: scheduler.max_attempts]' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l timeout -d 'Seconds the task may run [default: the class\'s timeout]' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l gpus -d 'GPUs the task needs [default: 1 for the gpu class, 0 otherwise]' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l gpu-memory-mb -d 'Free memory each of its GPUs must have, in MiB [default: any]' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l batch -d 'Submit many tasks: NDJSON lines of {task_id?, class?, priority?, payload, ...} from a file or stdin (`-`); prints one NDJSON result line per task' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -s w -l wait -d 'Follow the task to its end and print its result (exit 6 when it failed or was cancelled)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand submit" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -l server -d 'The scheduler\'s gRPC address (HOST:PORT); TLS when DSPY_AGENT_TLS_CA or the home\'s tls/ca.pem names its CA' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -l classes -d 'Task classes to take, comma-separated [default: every class]' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -l concurrency -d 'Tasks run at once' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -l gpus -d 'GPUs offered: none, auto (this machine\'s GPUs, as `dspy-agent gpu` lists them), or comma-separated UUIDs' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -l name -d 'The worker\'s name [default: HOST-PID]' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -l lease-seconds -d 'Lease length in seconds (extended while a task runs)' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -l drain-seconds -d 'After SIGTERM, seconds running tasks may take before they are stopped and handed back' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand worker" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workers" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workers" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workers" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workers" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workers" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workers" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workers" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workers" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workers" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workers" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ui" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ui" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ui" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ui" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ui" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ui" -l open -d 'Also open the link in the desktop\'s browser (xdg-open, or open on macOS)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ui" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ui" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ui" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ui" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand ui" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -l status -d 'Only tasks in this status: queued, running, completed, failed, cancelled' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -l class -d 'Only tasks of this class' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -s n -l limit -d 'At most this many, newest first' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -f -a "show" -d 'Show one task with its result'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -f -a "cancel" -d 'Cancel a queued or running task'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -f -a "retry" -d 'Queue a failed or cancelled task again, with its attempts granted again (the attempt number keeps counting) and its original payload'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -f -a "why" -d 'Say what holds a task back: its class\'s limit, tasks ahead, GPUs, workers, a retry backoff or its Slurm job\'s reason'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and not __fish_seen_subcommand_from show cancel retry why help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from show" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from show" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from show" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from show" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from show" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from cancel" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from cancel" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from cancel" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from cancel" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from cancel" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from cancel" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from cancel" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from cancel" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from cancel" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from cancel" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from retry" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from retry" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from retry" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from retry" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from retry" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from retry" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from retry" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from retry" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from retry" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from retry" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from why" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from why" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from why" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from why" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from why" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from why" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from why" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from why" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from why" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from why" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one task with its result'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from help" -f -a "cancel" -d 'Cancel a queued or running task'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from help" -f -a "retry" -d 'Queue a failed or cancelled task again, with its attempts granted again (the attempt number keeps counting) and its original payload'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from help" -f -a "why" -d 'Say what holds a task back: its class\'s limit, tasks ahead, GPUs, workers, a retry backoff or its Slurm job\'s reason'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand tasks; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "create" -d 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "run" -d 'Start a run of a workflow (idempotent with --run-id)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "status" -d 'Show a run as a tree of steps with status, duration and map counts'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "retry" -d 'Run again what failed (or, with --from, a step and everything downstream)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "cancel" -d 'Cancel a run: queued tasks are dropped, running ones killed'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "list" -d 'List runs, newest first'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "show" -d 'Draw a run\'s graph, coloured by status, for Graphviz or a Markdown page'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from create" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from create" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from create" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from create" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from create" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from create" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from create" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -l run-id -d 'The run\'s id; the same id, spec and params give back the existing run' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -s p -l param -d 'A param as KEY=VALUE (VALUE is JSON, or else a string); repeatable' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -l on-conflict -d 'What an existing run id with another spec or params does: error, or allow_if_failed (a new attempt of a failed or cancelled run)' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -l wait -d 'Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from status" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from status" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from status" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from status" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from status" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from status" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from retry" -l from -d 'Run this step and everything downstream of it again' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from retry" -s p -l param -d 'Override a param for the re-run as KEY=VALUE; repeatable' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from retry" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from retry" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from retry" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from retry" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from retry" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from retry" -l wait -d 'Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from retry" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from retry" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from retry" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from retry" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from retry" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from cancel" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from cancel" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from cancel" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from cancel" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from cancel" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from cancel" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from cancel" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from cancel" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from cancel" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from cancel" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from list" -l workflow -d 'Only runs of this workflow' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from list" -s n -l limit -d 'At most this many' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from list" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from list" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from list" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from list" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from list" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from show" -l format -r -f -a "dot\t''
mermaid\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from show" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from show" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from show" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from show" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from show" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from help" -f -a "create" -d 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from help" -f -a "run" -d 'Start a run of a workflow (idempotent with --run-id)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show a run as a tree of steps with status, duration and map counts'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from help" -f -a "retry" -d 'Run again what failed (or, with --from, a step and everything downstream)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from help" -f -a "cancel" -d 'Cancel a run: queued tasks are dropped, running ones killed'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from help" -f -a "list" -d 'List runs, newest first'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from help" -f -a "show" -d 'Draw a run\'s graph, coloured by status, for Graphviz or a Markdown page'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflows; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "create" -d 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "run" -d 'Start a run of a workflow (idempotent with --run-id)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "status" -d 'Show a run as a tree of steps with status, duration and map counts'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "retry" -d 'Run again what failed (or, with --from, a step and everything downstream)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "cancel" -d 'Cancel a run: queued tasks are dropped, running ones killed'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "list" -d 'List runs, newest first'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "show" -d 'Draw a run\'s graph, coloured by status, for Graphviz or a Markdown page'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and not __fish_seen_subcommand_from create run status retry cancel list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from create" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from create" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from create" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from create" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from create" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from create" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from create" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -l run-id -d 'The run\'s id; the same id, spec and params give back the existing run' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -s p -l param -d 'A param as KEY=VALUE (VALUE is JSON, or else a string); repeatable' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -l on-conflict -d 'What an existing run id with another spec or params does: error, or allow_if_failed (a new attempt of a failed or cancelled run)' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -l wait -d 'Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from status" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from status" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from status" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from status" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from status" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from status" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from retry" -l from -d 'Run this step and everything downstream of it again' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from retry" -s p -l param -d 'Override a param for the re-run as KEY=VALUE; repeatable' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from retry" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from retry" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from retry" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from retry" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from retry" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from retry" -l wait -d 'Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from retry" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from retry" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from retry" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from retry" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from retry" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from cancel" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from cancel" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from cancel" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from cancel" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from cancel" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from cancel" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from cancel" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from cancel" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from cancel" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from cancel" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from list" -l workflow -d 'Only runs of this workflow' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from list" -s n -l limit -d 'At most this many' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from list" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from list" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from list" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from list" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from list" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from show" -l format -r -f -a "dot\t''
mermaid\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from show" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from show" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from show" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from show" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from show" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from help" -f -a "create" -d 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from help" -f -a "run" -d 'Start a run of a workflow (idempotent with --run-id)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show a run as a tree of steps with status, duration and map counts'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from help" -f -a "retry" -d 'Run again what failed (or, with --from, a step and everything downstream)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from help" -f -a "cancel" -d 'Cancel a run: queued tasks are dropped, running ones killed'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from help" -f -a "list" -d 'List runs, newest first'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from help" -f -a "show" -d 'Draw a run\'s graph, coloured by status, for Graphviz or a Markdown page'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand workflow; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l submissions -d 'Submissions for the throughput run' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l concurrency -d 'Requests in flight for the throughput run' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l samples -d 'Samples for each single-client latency run' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l starts -d 'Tasks for the submission-to-start run' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l slurm -d 'Instead: N no-op gpu_slurm tasks on the Slurm cluster, against a naive sbatch loop with per-job squeue polling' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l slurm-poll-interval-s -d 'slurm.poll_interval_s of the server in the --slurm run' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l chain-steps -d 'Steps in the workflow chain' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l map-items -d 'Items in the workflow map' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l batch-submissions -d 'Tasks submitted in the SubmitTasks throughput run' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l batch-size -d 'Tasks per SubmitTasks call' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l batch-in-flight -d 'SubmitTasks calls in flight in the throughput run, each on its own connection' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l worker-tasks -d 'No-op tasks in each end-to-end run (serve itself, then the workers)' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l ui -d 'Measure the web dashboard instead: its pages over HTTP with this many tasks stored, then durable submissions/s (--submissions, --concurrency) with 0 and with 5 live dashboards open' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l auth -d 'Also measure throughput and SubmitTask latency with a named `submit` token (tokens are always checked; the first run uses the home\'s own), on a second server in the same run'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l tls -d 'Also measure throughput and SubmitTask latency over TLS (self-signed, verified), on a second server in the same run'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l workflows -d 'Measure workflows instead: a chain of no-op steps and a map on 4 pull workers, beside the scheduler\'s own task rate on the same workers'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l workers -d 'Measure batch submission and remote workers instead: SubmitTasks throughput, then no-op command tasks run by serve itself and by 3 `dspy-agent worker` processes'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand bench" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand completions" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand completions" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand completions" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand completions" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand completions" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand completions" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand completions" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand completions" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand completions" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand completions" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand man" -l out -d 'Directory to write the pages into' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand man" -l project -d 'Project name: prefixes container, network and volume names' -r
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand man" -l home -d 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand man" -l services-file -d 'Services file to use instead of $DSPY_AGENT_HOME/services.toml' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand man" -l progress -d 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise' -r -f -a "auto\t''
plain\t''
tty\t''
json\t''"
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand man" -l env-file -d 'Variables for `${VAR}` in the services file [default: .env beside the services file]' -r -F
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand man" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand man" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand man" -s q -l quiet -d 'Print only data and errors: no progress, no warnings'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand man" -s h -l help -d 'Print help'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand man" -s V -l version -d 'Print version'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "up" -d 'Start services (and their dependencies), health-gated'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "down" -d 'Stop and remove services (and what depends on them)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "restart" -d 'Restart services in dependency order, health-gated; what depends on them follows'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "pull" -d 'Pull the services\' images ahead of `up`, with progress'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "build" -d 'Build the images of services with a `build` section, with progress'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "ps" -d 'Show the project\'s services: state, health, ports, uptime'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "logs" -d 'Show the services\' logs, merged'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "ports" -d 'Show the host endpoints of running services'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "exec" -d 'Run a command inside a running service\'s container (a TTY when stdin is one); exits with the command\'s exit code'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "gpu" -d 'Show the NVIDIA GPUs (NVML, or the simulated inventory) and whose processes use them'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "config" -d 'Show or change settings and the service catalog'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "serve" -d 'Run the task scheduler (gRPC and HTTP) in the foreground, or with --detach'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "store" -d 'Check the task journal, or repair it, without starting the scheduler'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "auth" -d 'Manage the scheduler\'s access tokens (named tokens with a role)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "audit" -d 'Print the scheduler\'s audit log (mutating calls: who, what, outcome)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "submit" -d 'Submit a task to the running scheduler'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "worker" -d 'Run tasks of a (possibly remote) scheduler on this machine: a pull worker'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "workers" -d 'List the pull workers registered with the scheduler: state, last seen, tasks'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "ui" -d 'Print a one-time login link to the running scheduler\'s web dashboard'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "tasks" -d 'List, inspect and cancel the scheduler\'s tasks'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "workflows" -d 'Create DAG workflows and start, follow, retry and cancel their runs'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "bench" -d 'Measure the scheduler: durable submit throughput, latencies, start delay, idle memory'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "man" -d 'Write man pages into a directory'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and not __fish_seen_subcommand_from up down restart pull build ps logs ports exec gpu config serve store auth audit submit worker workers ui tasks workflows bench completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print every effective setting with its source (default, file, env, flag)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "init" -d 'Write a commented default config.toml'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Print where the files are'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set" -d 'Validate and write one setting to config.toml (e.g. `ports.redis 6380`)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "services" -d 'Print the resolved service catalog (defaults merged with the services file)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from serve" -f -a "status" -d 'Report on the running scheduler'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from serve" -f -a "stop" -d 'Stop the running scheduler gracefully: no new tasks, running ones may finish'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "check" -d 'Check the journal, reading only: exit 0 when clean, 1 when records are lost'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "repair" -d 'Write a clean journal, keeping the damaged one as journal.ndjson.corrupt-<time>; the tasks it names come back failed with `journal record lost`'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "token" -d 'Named tokens: create (printed once), list, revoke'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from tasks" -f -a "show" -d 'Show one task with its result'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from tasks" -f -a "cancel" -d 'Cancel a queued or running task'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from tasks" -f -a "retry" -d 'Queue a failed or cancelled task again, with its attempts granted again (the attempt number keeps counting) and its original payload'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from tasks" -f -a "why" -d 'Say what holds a task back: its class\'s limit, tasks ahead, GPUs, workers, a retry backoff or its Slurm job\'s reason'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from workflows" -f -a "create" -d 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from workflows" -f -a "run" -d 'Start a run of a workflow (idempotent with --run-id)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from workflows" -f -a "status" -d 'Show a run as a tree of steps with status, duration and map counts'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from workflows" -f -a "retry" -d 'Run again what failed (or, with --from, a step and everything downstream)'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from workflows" -f -a "cancel" -d 'Cancel a run: queued tasks are dropped, running ones killed'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from workflows" -f -a "list" -d 'List runs, newest first'
complete -c dspy-agent -n "__fish_dspy_agent_using_subcommand help; and __fish_seen_subcommand_from workflows" -f -a "show" -d 'Draw a run\'s graph, coloured by status, for Graphviz or a Markdown page'
