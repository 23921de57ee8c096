"""The admin's policy workflow, through the admin pages as an admin uses them."""

from policy.models import PolicySection, PolicyVersion
from tests.helpers import client_for


def _section_formset(version: PolicyVersion, **changes) -> dict:
    """The change form's POST data for ``version``, with section fields changed by key."""
    sections = list(version.sections.all())
    data = {
        "title_ja": version.title_ja,
        "title_en": version.title_en,
        "effective_date": "",
        "change_note": "Added care",
        "sections-TOTAL_FORMS": str(len(sections)),
        "sections-INITIAL_FORMS": str(len(sections)),
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
    }
    for index, section in enumerate(sections):
        fields = {
            "id": section.pk,
            "version": version.pk,
            "order": section.order,
            "key": section.key,
            "heading_ja": section.heading_ja,
            "heading_en": section.heading_en,
            "body_ja": section.body_ja,
            "body_en": section.body_en,
            **changes.get(section.key, {}),
        }
        data.update({f"sections-{index}-{name}": value for name, value in fields.items()})
    return data


def test_an_admin_drafts_edits_previews_and_publishes_a_new_version(admin, staff_tokyo):
    client = client_for(admin, language="en")
    v1 = PolicyVersion.objects.get(number=1)

    response = client.post(f"/admin/policy/policyversion/{v1.pk}/new-draft/")
    draft = PolicyVersion.objects.get(number=2)
    assert response.status_code == 302 and response["Location"].endswith(f"/{draft.pk}/change/")

    changes = {"measures": {"body_ja": "改訂版の対応", "body_en": "The revised measures."}}
    response = client.post(
        f"/admin/policy/policyversion/{draft.pk}/change/", _section_formset(draft, **changes)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert draft.sections.get(key="measures").body_en == "The revised measures."

    preview = client.get(f"/policy/versions/{draft.number}/").content.decode()
    assert "The revised measures." in preview and "Preview of a draft." in preview

    confirm = client.get(f"/admin/policy/policyversion/{draft.pk}/publish/").content.decode()
    assert "Version 1, in force until now, will be archived." in confirm
    assert "The revised measures." not in client_for(staff_tokyo).get("/policy/").content.decode()

    response = client.post(f"/admin/policy/policyversion/{draft.pk}/publish/", follow=True)
    assert "is published" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.published_by) == ("published", admin)
    staff_page = client_for(staff_tokyo, language="en").get("/policy/").content.decode()
    assert "The revised measures." in staff_page


def test_the_admin_shows_a_published_version_read_only(admin):
    v1 = PolicyVersion.objects.get(number=1)
    client = client_for(admin, language="en")
    page = client.get(f"/admin/policy/policyversion/{v1.pk}/change/").content.decode()
    assert "can no longer be edited" in page
    assert 'name="sections-0-body_en"' not in page
    before = v1.sections.get(key="measures").body_en
    client.post(
        f"/admin/policy/policyversion/{v1.pk}/change/",
        _section_formset(v1, measures={"body_en": "Tampered."}),
    )
    assert PolicySection.objects.get(version=v1, key="measures").body_en == before


def test_publishing_twice_is_refused_with_a_message(admin):
    v1 = PolicyVersion.objects.get(number=1)
    response = client_for(admin, language="en").post(
        f"/admin/policy/policyversion/{v1.pk}/publish/", follow=True
    )
    assert "Only a draft can be published." in response.content.decode()


def test_the_admin_shows_who_changed_the_policy(admin):
    client = client_for(admin, language="en")
    v1 = PolicyVersion.objects.get(number=1)
    client.post(f"/admin/policy/policyversion/{v1.pk}/new-draft/")
    draft = PolicyVersion.objects.get(number=2)
    client.post(
        f"/admin/policy/policyversion/{draft.pk}/change/",
        _section_formset(draft, measures={"body_en": "Edited in admin."}),
    )
    events = client.get(
        "/admin/pghistory/events/",
        {"obj": f"policy.PolicySection:{draft.sections.get(key='measures').pk}"},
    )
    assert events.status_code == 200
    event = draft.sections.get(key="measures").events.order_by("-pgh_id").first()
    assert event.pgh_context.metadata["user"] == admin.pk
    assert event.pgh_context.metadata["url"] == f"/admin/policy/policyversion/{draft.pk}/change/"


def test_staff_cannot_open_the_admin(staff_tokyo, supervisor_tokyo):
    for person in (staff_tokyo, supervisor_tokyo):
        response = client_for(person).get("/admin/policy/policyversion/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admins_history_list_holds_no_report_content(admin, staff_tokyo):
    from tests.helpers import file_report

    file_report(staff_tokyo, narrative="A narrative only the scoped pages may show.")
    page = client_for(admin, language="en").get("/admin/pghistory/events/").content.decode()
    # Each change names its kind of record by the model's name (harassment_portal/history.py).
    assert '<td class="field-record_type">policy version</td>' in page
    assert "A narrative only the scoped pages may show." not in page
    from django.apps import apps
    from django.utils import translation

    with translation.override("en"):  # the page's language
        for model in apps.get_app_config("incidents").get_models():
            assert f'<td class="field-record_type">{model._meta.verbose_name}</td>' not in page


def test_saving_a_section_as_a_browser_sends_it_changes_nothing_in_the_history(admin):
    """A browser posts text areas with CRLF line endings: stored as sent, every section of
    the saved draft differed from the version before it, and the diff marked it all."""
    client = client_for(admin, language="en")
    v1 = PolicyVersion.objects.get(number=1)
    client.post(f"/admin/policy/policyversion/{v1.pk}/new-draft/")
    draft = PolicyVersion.objects.get(number=2)
    as_a_browser_sends = {
        section.key: {
            "body_ja": section.body_ja.replace("\n", "\r\n"),
            "body_en": section.body_en.replace("\n", "\r\n"),
        }
        for section in draft.sections.all()
    }
    response = client.post(
        f"/admin/policy/policyversion/{draft.pk}/change/",
        _section_formset(draft, **as_a_browser_sends),
    )
    assert response.status_code == 302
    saved = {s.key: (s.body_ja, s.body_en) for s in draft.sections.all()}
    before = {s.key: (s.body_ja, s.body_en) for s in v1.sections.all()}
    assert saved == before
    assert not any("\r" in ja + en for ja, en in saved.values())
