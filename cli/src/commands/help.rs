//! Text shown after each command's `--help`: examples with what they print,
//! and for `dagger --help` the exit codes and the environment variables the
//! binary reads. `cli/tests/help.rs` checks that every command has examples.
//!
//! Keep these true: the exit codes are those `main.rs` and the commands
//! return (compute.rs: `ExitCode::from(2)` for unusable inputs, the failed
//! exec's code from `RunError::exit_code`), the variables those `env::var`
//! reads in `cli/`, `dag/` and `llb/`.

/// After `dagger --help`.
pub const MAIN: &str = "\
Examples:
  # run the example plan: its components build in containers, their exports
  # come back into the plan, the merged state is printed as one line of JSON
  dagger compute ./examples/hello --input-string name=Bob
    {\"name\":\"Bob\",\"greeting\":\"hello, Bob\",\"stats\":{\"words\":2}}

  # evaluate CUE as `cue export` would
  dagger eval ./config --out json

  # every op a #compute list can hold, with its fields and defaults
  dagger ops

  # the help of one command, with its own examples
  dagger help compute

Exit codes:
  0    success
  1    the plan or the CUE failed: an evaluation error or conflict, a
       non-concrete value where data is needed, a failed op, BuildKit not
       reachable, a cycle between components; also `fmt --check` finding
       unformatted files and `conformance --min-pass` below its floor
  N    `dagger compute`: a component's exec exited with N (1-255); dagger
       exits with that same code, like `docker run`
  2    usage: an unknown flag or missing argument, a malformed --input-* or
       --allow-host-path, a file given as PLAN_DIR, a component path
       `dagger llb` cannot parse
  130  interrupted by Ctrl-C (SIGINT)

Environment:
  BUILDKIT_HOST   the BuildKit daemon for compute and llb: unix://PATH,
                  tcp://HOST:PORT or docker-container://NAME (the `docker`
                  on PATH runs `buildctl dial-stdio` in it)
  DOCKER_HOST     when BUILDKIT_HOST is unset: Docker's embedded BuildKit at
                  unix://PATH or tcp://HOST:PORT (default
                  unix:///var/run/docker.sock)
  BUILDKIT_TLS_CA_CERT, BUILDKIT_TLS_CERT, BUILDKIT_TLS_KEY,
  BUILDKIT_TLS_SERVER_NAME
                  TLS to a tcp:// daemon when --tlscacert, --tlscert,
                  --tlskey, --tlsservername are not given
  SSL_CERT_FILE   the CA bundle for TLS when no CA is given (default: the
                  system's, /etc/ssl/certs/ca-certificates.crt)
  DOCKER_CONFIG   the directory of the Docker config.json whose registry
                  credentials (auths, credsStore, credHelpers) pulls and
                  pushes use (default $HOME/.docker); credential helpers
                  docker-credential-NAME are found on PATH
  XDG_CACHE_HOME  where the key that makes secret ids is kept:
                  $XDG_CACHE_HOME/dagger/secret-key (else
                  $HOME/.cache/dagger/secret-key)
  NO_COLOR        set (non-empty): no colors anywhere, progress included
                  (CLICOLOR=0 and CLICOLOR_FORCE=1 are honored for help and
                  usage errors too); a non-terminal stderr gets the plain
                  progress format
  TERM            `dumb`: no live progress display (`auto` prints plain
                  lines, `tty` timed lines)
  COLUMNS, LINES  the terminal's size for the live progress display, when
                  the terminal itself does not tell it
  VAR             `--input-secret PATH=env:VAR` reads the secret from VAR
";

/// After `dagger eval --help`.
pub const EVAL: &str = "\
Examples:
  # main.cue:
  #   package main
  #   name:     *\"world\" | string
  #   greeting: \"hello, \\(name)\"
  dagger eval .
    name:     \"world\"
    greeting: \"hello, world\"

  dagger eval . --out json -e greeting
    \"hello, world\"

  # with `name: string` instead, JSON needs concrete values: exit 1 and
  dagger eval . --out json
    name: incomplete value string:
        ./main.cue:3:7

  # an input that would run away stops at a limit (README, \"Guarantees and
  # limits\"): with `name: \"x\" * 100000000000` on line 2, exit 1 and
  dagger eval .
    name: string repetition would make a string of 100000000000 bytes (the limit is 268435456):
        ./main.cue:2:7

  # values held (and time taken) are limited to 2GiB (and 60 s) by default
  dagger eval . --max-memory 512MiB --max-time 10
";

/// After `dagger fmt --help`.
pub const FMT: &str = "\
Examples:
  # list the files that are not formatted, exit 1 if there are any
  dagger fmt --check .
    ./ugly.cue

  # rewrite them in place (tabs, aligned values)
  dagger fmt ugly.cue

  # format standard input to standard output
  printf 'a:   1\\nbb: \"x\"\\n' | dagger fmt -
    a:  1
    bb: \"x\"
";

/// After `dagger conformance --help`.
pub const CONFORMANCE: &str = "\
Examples:
  # run one directory of the shared corpus on 2 cores
  dagger conformance ../shared/cue-conformance/disjunctions -j 2
    json-exact: 1/1 cases expecting JSON (100.0%)
    eval-text: 4/4 cases with out/eval.cue agree (100.0%); ...
    5 passed, 0 failed

  # exit 1 when fewer than 245 cases pass (testdata/conformance-floor)
  dagger conformance ../shared/cue-conformance --min-pass 245
";

/// After `dagger compute --help`.
pub const COMPUTE: &str = "\
Examples:
  # run the example plan with its `name` input set; progress goes to
  # stderr, the merged state to stdout
  dagger compute ./examples/hello --input-string name=Bob
    {\"name\":\"Bob\",\"greeting\":\"hello, Bob\",\"stats\":{\"words\":2}}

  # a field made an artifact of a local directory, and a secret from a file
  dagger compute ./plan --input-dir src=./app --input-secret token=@./token.txt

  # progress as one JSON object per event, for CI
  dagger compute ./plan --log-format json

  # an exec that exits 3 fails its component: stderr names the op and shows
  # the command's last output lines, and dagger exits 3
  dagger compute ./plan
    error: component fail: fail.#compute[1] exec sh -c '...; exit 3': exit code 3: ...
    output (last 2 lines):
      some output
      to stderr

The ops a #compute list can hold, with their fields and defaults: `dagger ops`.
";

/// After `dagger dag --help`.
pub const DAG: &str = "\
Examples:
  # one line per component, with the components it depends on
  dagger dag ./examples/hello
    greeting
    stats <- greeting

  # Graphviz source, rendered to SVG
  dagger dag ./examples/hello --format dot | dot -Tsvg > dag.svg
";

/// After `dagger llb --help`.
pub const LLB: &str = "\
Examples:
  # the LLB of one component: one JSON object per op, inputs by digest
  dagger llb ./examples/hello greeting
    {\"digest\":\"sha256:a7f9...\",\"inputs\":[],\"platform\":\"linux/amd64\",\"kind\":\"source\",...}
    {\"digest\":\"sha256:f1f0...\",\"inputs\":[{\"digest\":\"sha256:a7f9...\",\"index\":0}],\"name\":\"greeting.#compute[1] exec ...\",...}
    {\"digest\":\"sha256:e741...\",\"inputs\":[{\"digest\":\"sha256:f1f0...\",\"index\":0}],\"kind\":\"terminal\"}

  # every component, each after a `# PATH` line (those that wait for an
  # export are named with the value they wait for)
  dagger llb ./examples/hello
    # greeting
    ...
    # stats (not concrete: stats.#compute[1].content: string)

Image configs (env, working directory) are asked of BuildKit when it is
reachable (BUILDKIT_HOST); otherwise a warning says exec ops may differ.
";

/// After `dagger new --help`.
pub const NEW: &str = "\
Examples:
  # a controller named app whose plan is the package in ./plan; state
  # goes to ./.dagger/app/
  dagger new app --plan-dir ./plan

  # a plan from git (branch main, subdirectory deploy), brought up at once
  dagger new site --plan-git https://git.example.com/site.git main deploy --up

  # a plan that is a package (embedded, or in cue.mod/pkg)
  dagger new hello --plan-package example.com/plans/hello
";

/// After `dagger list --help`.
pub const LIST: &str = "\
Examples:
  dagger list
    NAME  STATUS  LAST RUN                        PLAN
    app   up      #3 2026-12-08T10:02:11Z ok      dir plan
";

/// After `dagger plan --help`.
pub const PLAN: &str = "\
Examples:
  # the plan of the only controller is now ./plan-v2
  dagger plan dir ./plan-v2

  # controller site follows branch release of a repository
  dagger plan -d site git https://git.example.com/site.git release
";

/// After `dagger input --help`.
pub const INPUT: &str = "\
Examples:
  dagger input text app.name Bob
  dagger input json app.replicas 3
  dagger input yaml app.config @config.yaml
  dagger input dir app.source ./src
  dagger input git app.repo https://git.example.com/app.git main
  dagger input container app.base alpine:3.15
  # stored encrypted with the key in ~/.config/dagger/secrets.key; `-`
  # reads standard input, so the value stays out of the shell history
  printf %s \"$TOKEN\" | dagger input secret app.token -
  # stored as a reference: read from $TOKEN at each `up`
  dagger input secret app.token --from-env TOKEN
  dagger input list
  dagger input unset app.replicas
";

/// After `dagger up --help`.
pub const UP: &str = "\
Examples:
  # recompute what changed since the last up; the rest is reused with no solve
  dagger up
    app: run 2 ok (1 ran, 0 cached, 199 reused) in 0.6s

  # one component and what it depends on
  dagger up --only app.deploy

  # keep running, recompute on every change of the plan or an input
  dagger up --watch

  # run 3's plan and inputs again
  dagger up --replay 3

Exit codes as for `dagger compute`: 0, 1 (the plan failed), a failed exec's
own code, 2 (usage), 130 (Ctrl-C: the stored state stays that of the last
completed run).
";

/// After `dagger query --help`.
pub const QUERY: &str = "\
Examples:
  # the whole configuration as JSON: plan, inputs and computed outputs
  dagger query
  # one value, as plain text
  dagger query app.url --format text
  # with definitions and constraints, as CUE
  dagger query --format cue
  # as it was after run 2
  dagger query app.url --version 2
  # shell variables
  eval \"$(dagger query app --format env)\"
";

/// After `dagger output --help`.
pub const OUTPUT: &str = "\
Examples:
  dagger output list
    COMPONENT  VALUE
    app.build  \"sha256:1f2d...\"
";

/// After `dagger history --help`.
pub const HISTORY: &str = "\
Examples:
  dagger history
    RUN  STARTED               COMMAND  RESULT  DURATION  PLAN          INPUTS        COMPONENTS
    1    2026-12-08T10:00:02Z  up       ok      12.4s     5c1e0a9f3b2d  e3b0c44298fc  3 ran, 0 reused
  dagger history --json
";

/// After `dagger down --help`.
pub const DOWN: &str = "\
Components that declare `#teardown: true` do not run on `up`; `down` runs
them (with every other component's last outputs filled in) and marks the
controller down.

Examples:
  dagger down
  dagger down -d site
";

/// After `dagger delete --help`.
pub const DELETE: &str = "\
Examples:
  # asks for confirmation on a terminal
  dagger delete -d app
  dagger delete -d app --yes
";
