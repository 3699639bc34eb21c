"""The ``provnews`` command line (click). Every command has ``--help``."""

from __future__ import annotations

import sys

import click

from crawler.cli.browse import articles, runs, sites
from crawler.cli.crawl import crawl, demo
from crawler.cli.database import database
from crawler.cli.entities import entities
from crawler.cli.export import export
from crawler.cli.extract import extract
from crawler.cli.fixture import fixture
from crawler.cli.health import health
from crawler.cli.replica import replica
from crawler.cli.report import report
from crawler.cli.reprocess import reprocess
from crawler.cli.schedule import schedule
from crawler.cli.search import search
from crawler.cli.sites_add import sites_add, sites_check
from crawler.cli.watch import watch


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="provnews")
def cli() -> None:
    """provnews: collect, parse, store and monitor Vietnamese provincial news."""


sites.add_command(sites_add)
sites.add_command(sites_check)
COMMANDS = (
    crawl, demo, reprocess, schedule, sites, articles, runs, extract, entities, fixture, database,
    replica, search, export, health, watch, report,
)
for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    try:
        cli.main(prog_name="provnews")
    except KeyboardInterrupt:  # pragma: no cover - interactive
        click.echo("provnews: interrupted", err=True)
        sys.exit(130)
