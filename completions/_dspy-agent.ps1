
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'dspy-agent' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'dspy-agent'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'dspy-agent' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start services (and their dependencies), health-gated')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop and remove services (and what depends on them)')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Restart services in dependency order, health-gated; what depends on them follows')
            [CompletionResult]::new('pull', 'pull', [CompletionResultType]::ParameterValue, 'Pull the services'' images ahead of `up`, with progress')
            [CompletionResult]::new('build', 'build', [CompletionResultType]::ParameterValue, 'Build the images of services with a `build` section, with progress')
            [CompletionResult]::new('ps', 'ps', [CompletionResultType]::ParameterValue, 'Show the project''s services: state, health, ports, uptime')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the project''s services: state, health, ports, uptime')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show the services'' logs, merged')
            [CompletionResult]::new('ports', 'ports', [CompletionResultType]::ParameterValue, 'Show the host endpoints of running services')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command inside a running service''s container (a TTY when stdin is one); exits with the command''s exit code')
            [CompletionResult]::new('gpu', 'gpu', [CompletionResultType]::ParameterValue, 'Show the NVIDIA GPUs (NVML, or the simulated inventory) and whose processes use them')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show or change settings and the service catalog')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the task scheduler (gRPC and HTTP) in the foreground, or with --detach')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'Check the task journal, or repair it, without starting the scheduler')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Manage the scheduler''s access tokens (named tokens with a role)')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Print the scheduler''s audit log (mutating calls: who, what, outcome)')
            [CompletionResult]::new('submit', 'submit', [CompletionResultType]::ParameterValue, 'Submit a task to the running scheduler')
            [CompletionResult]::new('worker', 'worker', [CompletionResultType]::ParameterValue, 'Run tasks of a (possibly remote) scheduler on this machine: a pull worker')
            [CompletionResult]::new('workers', 'workers', [CompletionResultType]::ParameterValue, 'List the pull workers registered with the scheduler: state, last seen, tasks')
            [CompletionResult]::new('ui', 'ui', [CompletionResultType]::ParameterValue, 'Print a one-time login link to the running scheduler''s web dashboard')
            [CompletionResult]::new('tasks', 'tasks', [CompletionResultType]::ParameterValue, 'List, inspect and cancel the scheduler''s tasks')
            [CompletionResult]::new('workflows', 'workflows', [CompletionResultType]::ParameterValue, 'Create DAG workflows and start, follow, retry and cancel their runs')
            [CompletionResult]::new('workflow', 'workflow', [CompletionResultType]::ParameterValue, 'Create DAG workflows and start, follow, retry and cancel their runs')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure the scheduler: durable submit throughput, latencies, start delay, idle memory')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;up' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Services to start, comma separated [default: those enabled in config.toml]')
            [CompletionResult]::new('--services', '--services', [CompletionResultType]::ParameterName, 'Services to start, comma separated [default: those enabled in config.toml]')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'Override every service''s health timeout, in seconds')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--no-pull', '--no-pull', [CompletionResultType]::ParameterName, 'Never pull: fail when an image is not present locally')
            [CompletionResult]::new('--recreate', '--recreate', [CompletionResultType]::ParameterName, 'Recreate containers even when their definition is unchanged')
            [CompletionResult]::new('--build', '--build', [CompletionResultType]::ParameterName, 'Build the images of services with a `build` section even when present and current')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;down' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Services to stop, comma separated; their dependents stop too [default: all]')
            [CompletionResult]::new('--services', '--services', [CompletionResultType]::ParameterName, 'Services to stop, comma separated; their dependents stop too [default: all]')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Seconds to wait for a container to stop before killing it')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a container to stop before killing it')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--volumes', '--volumes', [CompletionResultType]::ParameterName, 'Also remove the project''s named volumes')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;restart' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Services to restart, comma separated; their dependents restart too [default: those enabled in config.toml]')
            [CompletionResult]::new('--services', '--services', [CompletionResultType]::ParameterName, 'Services to restart, comma separated; their dependents restart too [default: those enabled in config.toml]')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Seconds to wait for a container to stop before killing it')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a container to stop before killing it')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;pull' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Services whose images to pull, comma separated [default: those enabled in config.toml]')
            [CompletionResult]::new('--services', '--services', [CompletionResultType]::ParameterName, 'Services whose images to pull, comma separated [default: those enabled in config.toml]')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;build' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Services whose images to build, comma separated [default: every service with a `build` section]')
            [CompletionResult]::new('--services', '--services', [CompletionResultType]::ParameterName, 'Services whose images to build, comma separated [default: every service with a `build` section]')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Build without the engine''s layer cache')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;ps' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Also show services of the catalog that have no container')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also show services of the catalog that have no container')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;status' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Also show services of the catalog that have no container')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also show services of the catalog that have no container')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;logs' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Lines to show from the end of each service''s log')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Lines to show from the end of each service''s log')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only lines newer than this: seconds since the epoch, or a duration such as 30s, 5m, 2h')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Only these services (repeatable)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep following new lines (and services that start later) until Ctrl-C')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep following new lines (and services that start later) until Ctrl-C')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Show each line''s timestamp')
            [CompletionResult]::new('--timestamps', '--timestamps', [CompletionResultType]::ParameterName, 'Show each line''s timestamp')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;ports' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Print NAME_URL=... lines a shell can evaluate (not with --json)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;exec' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'Never allocate a TTY, even when stdin is a terminal')
            [CompletionResult]::new('--no-tty', '--no-tty', [CompletionResultType]::ParameterName, 'Never allocate a TTY, even when stdin is a terminal')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;gpu' {
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Redraw every S seconds until Ctrl-C (NDJSON, one document a line, off a terminal or with --json)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw every S seconds until Ctrl-C (NDJSON, one document a line, off a terminal or with --json)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--require', '--require', [CompletionResultType]::ParameterName, 'Exit 1 when there is no GPU (for CI gates)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;config' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every effective setting with its source (default, file, env, flag)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented default config.toml')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print where the files are')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Validate and write one setting to config.toml (e.g. `ports.redis 6380`)')
            [CompletionResult]::new('services', 'services', [CompletionResultType]::ParameterValue, 'Print the resolved service catalog (defaults merged with the services file)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;config;show' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;config;init' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing file')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;config;path' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;config;set' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;config;services' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;config;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every effective setting with its source (default, file, env, flag)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented default config.toml')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print where the files are')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Validate and write one setting to config.toml (e.g. `ports.redis 6380`)')
            [CompletionResult]::new('services', 'services', [CompletionResultType]::ParameterValue, 'Print the resolved service catalog (defaults merged with the services file)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;config;help;show' {
            break
        }
        'dspy-agent;config;help;init' {
            break
        }
        'dspy-agent;config;help;path' {
            break
        }
        'dspy-agent;config;help;set' {
            break
        }
        'dspy-agent;config;help;services' {
            break
        }
        'dspy-agent;config;help;help' {
            break
        }
        'dspy-agent;serve' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Run in the background (log under $DSPY_AGENT_HOME/logs/); return once it answers')
            [CompletionResult]::new('--detach', '--detach', [CompletionResultType]::ParameterName, 'Run in the background (log under $DSPY_AGENT_HOME/logs/); return once it answers')
            [CompletionResult]::new('--strict-journal', '--strict-journal', [CompletionResultType]::ParameterName, 'Refuse to start when the journal is damaged, instead of keeping a copy and failing the tasks it loses [setting: scheduler.strict_journal]')
            [CompletionResult]::new('--insecure-bind', '--insecure-bind', [CompletionResultType]::ParameterName, 'Listen on a non-loopback address without TLS (tokens and tasks then cross the network in clear text); warned about on every start')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Report on the running scheduler')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the running scheduler gracefully: no new tasks, running ones may finish')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;serve;status' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;serve;stop' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Seconds running tasks may take to finish; unfinished ones stay queued for the next start [default: scheduler.shutdown_timeout_s]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds running tasks may take to finish; unfinished ones stay queued for the next start [default: scheduler.shutdown_timeout_s]')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;serve;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Report on the running scheduler')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the running scheduler gracefully: no new tasks, running ones may finish')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;serve;help;status' {
            break
        }
        'dspy-agent;serve;help;stop' {
            break
        }
        'dspy-agent;serve;help;help' {
            break
        }
        'dspy-agent;store' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the journal, reading only: exit 0 when clean, 1 when records are lost')
            [CompletionResult]::new('repair', 'repair', [CompletionResultType]::ParameterValue, 'Write a clean journal, keeping the damaged one as journal.ndjson.corrupt-<time>; the tasks it names come back failed with `journal record lost`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;store;check' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;store;repair' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;store;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the journal, reading only: exit 0 when clean, 1 when records are lost')
            [CompletionResult]::new('repair', 'repair', [CompletionResultType]::ParameterValue, 'Write a clean journal, keeping the damaged one as journal.ndjson.corrupt-<time>; the tasks it names come back failed with `journal record lost`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;store;help;check' {
            break
        }
        'dspy-agent;store;help;repair' {
            break
        }
        'dspy-agent;store;help;help' {
            break
        }
        'dspy-agent;auth' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Named tokens: create (printed once), list, revoke')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;auth;token' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print it (only its hash is stored)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the named tokens (names, roles, creation times; never the tokens)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a named token: calls with it are refused from then on')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;auth;token;create' {
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'admin (everything), submit (submit, read, cancel its own tasks), worker (lease, complete, extend) or read (status, metrics, events)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;auth;token;list' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;auth;token;revoke' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;auth;token;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print it (only its hash is stored)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the named tokens (names, roles, creation times; never the tokens)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a named token: calls with it are refused from then on')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;auth;token;help;create' {
            break
        }
        'dspy-agent;auth;token;help;list' {
            break
        }
        'dspy-agent;auth;token;help;revoke' {
            break
        }
        'dspy-agent;auth;token;help;help' {
            break
        }
        'dspy-agent;auth;help' {
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Named tokens: create (printed once), list, revoke')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;auth;help;token' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print it (only its hash is stored)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the named tokens (names, roles, creation times; never the tokens)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a named token: calls with it are refused from then on')
            break
        }
        'dspy-agent;auth;help;token;create' {
            break
        }
        'dspy-agent;auth;help;token;list' {
            break
        }
        'dspy-agent;auth;help;token;revoke' {
            break
        }
        'dspy-agent;auth;help;help' {
            break
        }
        'dspy-agent;audit' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only entries at or after T: an RFC 3339 time (2026-01-02T03:04:05Z) or an age (10m, 2h)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;submit' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Task class: cpu_short, cpu_long, gpu or gpu_slurm')
            [CompletionResult]::new('--class', '--class', [CompletionResultType]::ParameterName, 'Task class: cpu_short, cpu_long, gpu or gpu_slurm')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Task id [default: generated by the scheduler]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Higher runs first')
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Higher runs first')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'The payload, a JSON object (e.g. ''{"command": ["echo", "hi"]}'')')
            [CompletionResult]::new('--payload-file', '--payload-file', [CompletionResultType]::ParameterName, 'Read the payload from a file, or from stdin with `-`')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Attempts before the task fails [default: scheduler.max_attempts]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds the task may run [default: the class''s timeout]')
            [CompletionResult]::new('--gpus', '--gpus', [CompletionResultType]::ParameterName, 'GPUs the task needs [default: 1 for the gpu class, 0 otherwise]')
            [CompletionResult]::new('--gpu-memory-mb', '--gpu-memory-mb', [CompletionResultType]::ParameterName, 'Free memory each of its GPUs must have, in MiB [default: any]')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Submit many tasks: NDJSON lines of {task_id?, class?, priority?, payload, ...} from a file or stdin (`-`); prints one NDJSON result line per task')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Follow the task to its end and print its result (exit 6 when it failed or was cancelled)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Follow the task to its end and print its result (exit 6 when it failed or was cancelled)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;worker' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'The scheduler''s gRPC address (HOST:PORT); TLS when DSPY_AGENT_TLS_CA or the home''s tls/ca.pem names its CA')
            [CompletionResult]::new('--classes', '--classes', [CompletionResultType]::ParameterName, 'Task classes to take, comma-separated [default: every class]')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Tasks run at once')
            [CompletionResult]::new('--gpus', '--gpus', [CompletionResultType]::ParameterName, 'GPUs offered: none, auto (this machine''s GPUs, as `dspy-agent gpu` lists them), or comma-separated UUIDs')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The worker''s name [default: HOST-PID]')
            [CompletionResult]::new('--lease-seconds', '--lease-seconds', [CompletionResultType]::ParameterName, 'Lease length in seconds (extended while a task runs)')
            [CompletionResult]::new('--drain-seconds', '--drain-seconds', [CompletionResultType]::ParameterName, 'After SIGTERM, seconds running tasks may take before they are stopped and handed back')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workers' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;ui' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'Also open the link in the desktop''s browser (xdg-open, or open on macOS)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;tasks' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only tasks in this status: queued, running, completed, failed, cancelled')
            [CompletionResult]::new('--class', '--class', [CompletionResultType]::ParameterName, 'Only tasks of this class')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'At most this many, newest first')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many, newest first')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one task with its result')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a queued or running task')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Queue a failed or cancelled task again, with its attempts granted again (the attempt number keeps counting) and its original payload')
            [CompletionResult]::new('why', 'why', [CompletionResultType]::ParameterValue, 'Say what holds a task back: its class''s limit, tasks ahead, GPUs, workers, a retry backoff or its Slurm job''s reason')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;tasks;show' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;tasks;cancel' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;tasks;retry' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;tasks;why' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;tasks;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one task with its result')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a queued or running task')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Queue a failed or cancelled task again, with its attempts granted again (the attempt number keeps counting) and its original payload')
            [CompletionResult]::new('why', 'why', [CompletionResultType]::ParameterValue, 'Say what holds a task back: its class''s limit, tasks ahead, GPUs, workers, a retry backoff or its Slurm job''s reason')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;tasks;help;show' {
            break
        }
        'dspy-agent;tasks;help;cancel' {
            break
        }
        'dspy-agent;tasks;help;retry' {
            break
        }
        'dspy-agent;tasks;help;why' {
            break
        }
        'dspy-agent;tasks;help;help' {
            break
        }
        'dspy-agent;workflows' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Start a run of a workflow (idempotent with --run-id)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a run as a tree of steps with status, duration and map counts')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Run again what failed (or, with --from, a step and everything downstream)')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a run: queued tasks are dropped, running ones killed')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Draw a run''s graph, coloured by status, for Graphviz or a Markdown page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;workflow' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Start a run of a workflow (idempotent with --run-id)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a run as a tree of steps with status, duration and map counts')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Run again what failed (or, with --from, a step and everything downstream)')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a run: queued tasks are dropped, running ones killed')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Draw a run''s graph, coloured by status, for Graphviz or a Markdown page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;workflows;create' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflow;create' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflows;run' {
            [CompletionResult]::new('--run-id', '--run-id', [CompletionResultType]::ParameterName, 'The run''s id; the same id, spec and params give back the existing run')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'A param as KEY=VALUE (VALUE is JSON, or else a string); repeatable')
            [CompletionResult]::new('--param', '--param', [CompletionResultType]::ParameterName, 'A param as KEY=VALUE (VALUE is JSON, or else a string); repeatable')
            [CompletionResult]::new('--on-conflict', '--on-conflict', [CompletionResultType]::ParameterName, 'What an existing run id with another spec or params does: error, or allow_if_failed (a new attempt of a failed or cancelled run)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflow;run' {
            [CompletionResult]::new('--run-id', '--run-id', [CompletionResultType]::ParameterName, 'The run''s id; the same id, spec and params give back the existing run')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'A param as KEY=VALUE (VALUE is JSON, or else a string); repeatable')
            [CompletionResult]::new('--param', '--param', [CompletionResultType]::ParameterName, 'A param as KEY=VALUE (VALUE is JSON, or else a string); repeatable')
            [CompletionResult]::new('--on-conflict', '--on-conflict', [CompletionResultType]::ParameterName, 'What an existing run id with another spec or params does: error, or allow_if_failed (a new attempt of a failed or cancelled run)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflows;status' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflow;status' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflows;retry' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Run this step and everything downstream of it again')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Override a param for the re-run as KEY=VALUE; repeatable')
            [CompletionResult]::new('--param', '--param', [CompletionResultType]::ParameterName, 'Override a param for the re-run as KEY=VALUE; repeatable')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflow;retry' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Run this step and everything downstream of it again')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Override a param for the re-run as KEY=VALUE; repeatable')
            [CompletionResult]::new('--param', '--param', [CompletionResultType]::ParameterName, 'Override a param for the re-run as KEY=VALUE; repeatable')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflows;cancel' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflow;cancel' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflows;list' {
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Only runs of this workflow')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'At most this many')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflow;list' {
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Only runs of this workflow')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'At most this many')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflows;show' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflow;show' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;workflows;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Start a run of a workflow (idempotent with --run-id)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a run as a tree of steps with status, duration and map counts')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Run again what failed (or, with --from, a step and everything downstream)')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a run: queued tasks are dropped, running ones killed')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Draw a run''s graph, coloured by status, for Graphviz or a Markdown page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;workflows;help;create' {
            break
        }
        'dspy-agent;workflows;help;run' {
            break
        }
        'dspy-agent;workflows;help;status' {
            break
        }
        'dspy-agent;workflows;help;retry' {
            break
        }
        'dspy-agent;workflows;help;cancel' {
            break
        }
        'dspy-agent;workflows;help;list' {
            break
        }
        'dspy-agent;workflows;help;show' {
            break
        }
        'dspy-agent;workflows;help;help' {
            break
        }
        'dspy-agent;workflow;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Start a run of a workflow (idempotent with --run-id)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a run as a tree of steps with status, duration and map counts')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Run again what failed (or, with --from, a step and everything downstream)')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a run: queued tasks are dropped, running ones killed')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Draw a run''s graph, coloured by status, for Graphviz or a Markdown page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;workflow;help;create' {
            break
        }
        'dspy-agent;workflow;help;run' {
            break
        }
        'dspy-agent;workflow;help;status' {
            break
        }
        'dspy-agent;workflow;help;retry' {
            break
        }
        'dspy-agent;workflow;help;cancel' {
            break
        }
        'dspy-agent;workflow;help;list' {
            break
        }
        'dspy-agent;workflow;help;show' {
            break
        }
        'dspy-agent;workflow;help;help' {
            break
        }
        'dspy-agent;bench' {
            [CompletionResult]::new('--submissions', '--submissions', [CompletionResultType]::ParameterName, 'Submissions for the throughput run')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight for the throughput run')
            [CompletionResult]::new('--samples', '--samples', [CompletionResultType]::ParameterName, 'Samples for each single-client latency run')
            [CompletionResult]::new('--starts', '--starts', [CompletionResultType]::ParameterName, 'Tasks for the submission-to-start run')
            [CompletionResult]::new('--slurm', '--slurm', [CompletionResultType]::ParameterName, 'Instead: N no-op gpu_slurm tasks on the Slurm cluster, against a naive sbatch loop with per-job squeue polling')
            [CompletionResult]::new('--slurm-poll-interval-s', '--slurm-poll-interval-s', [CompletionResultType]::ParameterName, 'slurm.poll_interval_s of the server in the --slurm run')
            [CompletionResult]::new('--chain-steps', '--chain-steps', [CompletionResultType]::ParameterName, 'Steps in the workflow chain')
            [CompletionResult]::new('--map-items', '--map-items', [CompletionResultType]::ParameterName, 'Items in the workflow map')
            [CompletionResult]::new('--batch-submissions', '--batch-submissions', [CompletionResultType]::ParameterName, 'Tasks submitted in the SubmitTasks throughput run')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Tasks per SubmitTasks call')
            [CompletionResult]::new('--batch-in-flight', '--batch-in-flight', [CompletionResultType]::ParameterName, 'SubmitTasks calls in flight in the throughput run, each on its own connection')
            [CompletionResult]::new('--worker-tasks', '--worker-tasks', [CompletionResultType]::ParameterName, 'No-op tasks in each end-to-end run (serve itself, then the workers)')
            [CompletionResult]::new('--ui', '--ui', [CompletionResultType]::ParameterName, 'Measure the web dashboard instead: its pages over HTTP with this many tasks stored, then durable submissions/s (--submissions, --concurrency) with 0 and with 5 live dashboards open')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Also measure throughput and SubmitTask latency with a named `submit` token (tokens are always checked; the first run uses the home''s own), on a second server in the same run')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Also measure throughput and SubmitTask latency over TLS (self-signed, verified), on a second server in the same run')
            [CompletionResult]::new('--workflows', '--workflows', [CompletionResultType]::ParameterName, 'Measure workflows instead: a chain of no-op steps and a map on 4 pull workers, beside the scheduler''s own task rate on the same workers')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Measure batch submission and remote workers instead: SubmitTasks throughput, then no-op command tasks run by serve itself and by 3 `dspy-agent worker` processes')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;completions' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;man' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Directory to write the pages into')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Project name: prefixes container, network and volume names')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]')
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services file to use instead of $DSPY_AGENT_HOME/services.toml')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty when stderr is a terminal, plain otherwise')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables for `${VAR}` in the services file [default: .env beside the services file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors: no progress, no warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dspy-agent;help' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start services (and their dependencies), health-gated')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop and remove services (and what depends on them)')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Restart services in dependency order, health-gated; what depends on them follows')
            [CompletionResult]::new('pull', 'pull', [CompletionResultType]::ParameterValue, 'Pull the services'' images ahead of `up`, with progress')
            [CompletionResult]::new('build', 'build', [CompletionResultType]::ParameterValue, 'Build the images of services with a `build` section, with progress')
            [CompletionResult]::new('ps', 'ps', [CompletionResultType]::ParameterValue, 'Show the project''s services: state, health, ports, uptime')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show the services'' logs, merged')
            [CompletionResult]::new('ports', 'ports', [CompletionResultType]::ParameterValue, 'Show the host endpoints of running services')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command inside a running service''s container (a TTY when stdin is one); exits with the command''s exit code')
            [CompletionResult]::new('gpu', 'gpu', [CompletionResultType]::ParameterValue, 'Show the NVIDIA GPUs (NVML, or the simulated inventory) and whose processes use them')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show or change settings and the service catalog')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the task scheduler (gRPC and HTTP) in the foreground, or with --detach')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'Check the task journal, or repair it, without starting the scheduler')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Manage the scheduler''s access tokens (named tokens with a role)')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Print the scheduler''s audit log (mutating calls: who, what, outcome)')
            [CompletionResult]::new('submit', 'submit', [CompletionResultType]::ParameterValue, 'Submit a task to the running scheduler')
            [CompletionResult]::new('worker', 'worker', [CompletionResultType]::ParameterValue, 'Run tasks of a (possibly remote) scheduler on this machine: a pull worker')
            [CompletionResult]::new('workers', 'workers', [CompletionResultType]::ParameterValue, 'List the pull workers registered with the scheduler: state, last seen, tasks')
            [CompletionResult]::new('ui', 'ui', [CompletionResultType]::ParameterValue, 'Print a one-time login link to the running scheduler''s web dashboard')
            [CompletionResult]::new('tasks', 'tasks', [CompletionResultType]::ParameterValue, 'List, inspect and cancel the scheduler''s tasks')
            [CompletionResult]::new('workflows', 'workflows', [CompletionResultType]::ParameterValue, 'Create DAG workflows and start, follow, retry and cancel their runs')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure the scheduler: durable submit throughput, latencies, start delay, idle memory')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dspy-agent;help;up' {
            break
        }
        'dspy-agent;help;down' {
            break
        }
        'dspy-agent;help;restart' {
            break
        }
        'dspy-agent;help;pull' {
            break
        }
        'dspy-agent;help;build' {
            break
        }
        'dspy-agent;help;ps' {
            break
        }
        'dspy-agent;help;logs' {
            break
        }
        'dspy-agent;help;ports' {
            break
        }
        'dspy-agent;help;exec' {
            break
        }
        'dspy-agent;help;gpu' {
            break
        }
        'dspy-agent;help;config' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every effective setting with its source (default, file, env, flag)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented default config.toml')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print where the files are')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Validate and write one setting to config.toml (e.g. `ports.redis 6380`)')
            [CompletionResult]::new('services', 'services', [CompletionResultType]::ParameterValue, 'Print the resolved service catalog (defaults merged with the services file)')
            break
        }
        'dspy-agent;help;config;show' {
            break
        }
        'dspy-agent;help;config;init' {
            break
        }
        'dspy-agent;help;config;path' {
            break
        }
        'dspy-agent;help;config;set' {
            break
        }
        'dspy-agent;help;config;services' {
            break
        }
        'dspy-agent;help;serve' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Report on the running scheduler')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the running scheduler gracefully: no new tasks, running ones may finish')
            break
        }
        'dspy-agent;help;serve;status' {
            break
        }
        'dspy-agent;help;serve;stop' {
            break
        }
        'dspy-agent;help;store' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the journal, reading only: exit 0 when clean, 1 when records are lost')
            [CompletionResult]::new('repair', 'repair', [CompletionResultType]::ParameterValue, 'Write a clean journal, keeping the damaged one as journal.ndjson.corrupt-<time>; the tasks it names come back failed with `journal record lost`')
            break
        }
        'dspy-agent;help;store;check' {
            break
        }
        'dspy-agent;help;store;repair' {
            break
        }
        'dspy-agent;help;auth' {
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Named tokens: create (printed once), list, revoke')
            break
        }
        'dspy-agent;help;auth;token' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print it (only its hash is stored)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the named tokens (names, roles, creation times; never the tokens)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a named token: calls with it are refused from then on')
            break
        }
        'dspy-agent;help;auth;token;create' {
            break
        }
        'dspy-agent;help;auth;token;list' {
            break
        }
        'dspy-agent;help;auth;token;revoke' {
            break
        }
        'dspy-agent;help;audit' {
            break
        }
        'dspy-agent;help;submit' {
            break
        }
        'dspy-agent;help;worker' {
            break
        }
        'dspy-agent;help;workers' {
            break
        }
        'dspy-agent;help;ui' {
            break
        }
        'dspy-agent;help;tasks' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one task with its result')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a queued or running task')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Queue a failed or cancelled task again, with its attempts granted again (the attempt number keeps counting) and its original payload')
            [CompletionResult]::new('why', 'why', [CompletionResultType]::ParameterValue, 'Say what holds a task back: its class''s limit, tasks ahead, GPUs, workers, a retry backoff or its Slurm job''s reason')
            break
        }
        'dspy-agent;help;tasks;show' {
            break
        }
        'dspy-agent;help;tasks;cancel' {
            break
        }
        'dspy-agent;help;tasks;retry' {
            break
        }
        'dspy-agent;help;tasks;why' {
            break
        }
        'dspy-agent;help;workflows' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Start a run of a workflow (idempotent with --run-id)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a run as a tree of steps with status, duration and map counts')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Run again what failed (or, with --from, a step and everything downstream)')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a run: queued tasks are dropped, running ones killed')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Draw a run''s graph, coloured by status, for Graphviz or a Markdown page')
            break
        }
        'dspy-agent;help;workflows;create' {
            break
        }
        'dspy-agent;help;workflows;run' {
            break
        }
        'dspy-agent;help;workflows;status' {
            break
        }
        'dspy-agent;help;workflows;retry' {
            break
        }
        'dspy-agent;help;workflows;cancel' {
            break
        }
        'dspy-agent;help;workflows;list' {
            break
        }
        'dspy-agent;help;workflows;show' {
            break
        }
        'dspy-agent;help;bench' {
            break
        }
        'dspy-agent;help;completions' {
            break
        }
        'dspy-agent;help;man' {
            break
        }
        'dspy-agent;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
