"""The ``chaincut`` command: a thin layer over the packages.

Each subcommand lives in its own module, which builds its arguments and calls
into the library. Errors chaincut raises on purpose become one line on stderr
and exit code 2; results go to stdout, progress and logs to stderr.
"""

from __future__ import annotations

import logging
import sys

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from chaincut.errors import ChaincutError

app = typer.Typer(
    name="chaincut",
    help="Find, break and watch the attack chains in an AWS account.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Progress, logs and error lines: stdout is kept for results.
# emoji=False: ARNs such as "...:secret:name" must not turn into pictures.
stderr = Console(stderr=True, emoji=False)

# Results pasted into a ticket or read by a pipeline should not be cut at 80
# columns when stdout is not a terminal.
_PIPE_WIDTH = 160


def result_console() -> Console:
    """The console results are printed on (stdout)."""
    console = Console(emoji=False)
    if not console.is_terminal:
        console = Console(emoji=False, width=_PIPE_WIDTH)
    return console


# Exit codes shared by every command.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


@app.callback()
def _root(
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True, help="More logging on stderr (-vv: debug)."
    ),
) -> None:
    _configure_logging(verbose)


def _configure_logging(verbose: int) -> None:
    level = logging.WARNING
    if verbose == 1:
        level = logging.INFO
    elif verbose >= 2:
        level = logging.DEBUG
    handler = RichHandler(console=stderr, show_path=False, show_time=False)
    root = logging.getLogger("chaincut")
    root.handlers[:] = [handler]
    root.setLevel(level)
    # botocore and moto log request and response bodies at DEBUG, and those
    # bodies can hold secret values: they stay at WARNING whatever -v says.
    for noisy in ("werkzeug", "botocore", "boto3", "urllib3", "moto"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _register_commands() -> None:
    # Imported here so that importing chaincut.cli stays cheap and each module
    # can import ``app`` without a cycle.
    from chaincut.cli import can, collect, demo, lab, paths, policy, scan

    for module in (lab, collect, can, paths, policy, scan, demo):
        module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code instead of raising."""
    _register_commands()
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="chaincut", standalone_mode=False)
    except ChaincutError as error:
        # One line, whatever the terminal's width, so it can be grepped.
        stderr.print(
            f"[bold red]error:[/] {type(error).__name__}: {escape(str(error))}",
            highlight=False,
            soft_wrap=True,
        )
        return EXIT_ERROR
    except typer.Exit as done:
        return done.exit_code
    except (typer.Abort, KeyboardInterrupt):
        stderr.print("aborted")
        return EXIT_ERROR
    except typer.TyperException as error:
        # Bad usage (an unknown option, a value out of range): typer's own
        # message, then exit 2 like every other input error.
        show = getattr(error, "show", None)
        if callable(show):
            show(file=sys.stderr)
        else:
            stderr.print(
                f"error: {escape(str(error))}", highlight=False, soft_wrap=True
            )
        return EXIT_ERROR
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
