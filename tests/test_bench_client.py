"""The load that `make bench` puts on the portal is made by bench/submissions.py's reporters'
browsers. They read the report form's fields with regular expressions, not an HTML parser (the
clients run on the server's two cores), so a change to the form's markup must not make them
post something a browser would not: the fields read here are the ones a browser posts back."""

import importlib.util
import time
import uuid
from pathlib import Path

import pytest

from incidents.models import IncidentReport
from incidents.selectors import reporting_centers
from tests.helpers import client_for, report_form_data

pytestmark = pytest.mark.django_db

_spec = importlib.util.spec_from_file_location(
    "bench_submissions", Path(__file__).resolve().parents[1] / "bench" / "submissions.py"
)
submissions = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(submissions)


def test_the_form_fields_read_are_the_hidden_inputs_and_chosen_options():
    page = """
      <input type="hidden" name="token" value="a&amp;b"><input name="seen" value="typed">
      <input value="2" type="hidden" name="late" id="id_late">
      <select name="plain" class="form-select">
        <option value="">---------</option><option value="1">One</option>
      </select>
      <select id="id_chosen" name="chosen"><option value="1">One</option>
        <option value="2" selected>Two</option></select>"""
    assert submissions.form_fields(page) == {
        "token": "a&b",
        "late": "2",
        "plain": "",
        "chosen": "2",
    }


def test_the_report_form_is_read_as_a_browser_posts_it(staff_tokyo):
    client = client_for(staff_tokyo)
    fields = submissions.form_fields(client.get("/incidents/new/").content.decode())
    center = reporting_centers(staff_tokyo).first()
    assert fields["center"] == str(center.pk)
    token = uuid.UUID(fields["form_token"])
    data = report_form_data(center) | {"form_token": fields["form_token"]}
    response = client.post("/incidents/new/", data)
    assert response.status_code == 302
    assert IncidentReport.objects.get(form_token=token).is_record


def test_the_cpu_a_submission_costs_is_read_by_who_spent_it():
    # The rate is the inverse of this cost once the cores are saturated: a slower machine
    # shows in it (bench/submissions.py prints it beside the rate).
    before = submissions.cpu_by_group()
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:
        pass  # this process (pytest: "other") spends 0.2 s
    after = submissions.cpu_by_group()
    assert after["other"] - before["other"] >= 0.15
    assert submissions._cpu_group("postgres: 15/main: postgres hp 127.0.0.1(5) idle") == (
        "postgresql"
    )
    assert submissions._cpu_group("python -m gunicorn harassment_portal.wsgi") == "gunicorn"
    line = submissions.cpu_line(
        {"cores_used": 1.9, "cpu_ms_per_submission": {"gunicorn": 30.0, "postgresql": 9.5}}
    )
    assert line.startswith("CPU per submission 39.5 ms (gunicorn 30.0, postgresql 9.5)")
