"""The data template of the query-plan tests (tests/data_template.py) is named by the code its
rows come from: a change to the generator, to the demo data or to a service either of them
calls makes a new one, and a change to a page does not."""

from __future__ import annotations

from tests.data_template import ROOT, sources


def test_the_data_set_is_named_by_the_generator_the_demo_and_the_modules_they_import():
    found = {str(path.relative_to(ROOT)) for path in sources()}
    assert {
        "incidents/bench_data.py",
        "harassment_portal/management/commands/seed_demo.py",
        "harassment_portal/demo_reports.py",  # seed_demo's reports
        "incidents/services/reports.py",  # through incidents/services/__init__.py
        "incidents/services/cases.py",  # the case files' summaries
        "incidents/rules.py",  # the severity the generator suggests
        "policy/seed_data.py",
    } <= found


def test_a_page_is_not_part_of_the_data_set():
    found = {str(path.relative_to(ROOT)) for path in sources()}
    assert not {path for path in found if "/views" in path or path.endswith("urls.py")}
