"""The example reports that the ``seed_demo`` command files through the real services: both
centers, in Japanese and English, with one candidate reported at both (a repeat candidate)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

REPEAT_CANDIDATE = "SR20261001"

# key: stable name (the form token is derived from it, which makes seeding idempotent)
# days_ago: when it happened; submit: False leaves a draft
DEMO_REPORTS = [
    {
        "key": "tokyo-checkin-shouting",
        "reporter": "staff.tokyo",
        "center": "TKY01",
        "days_ago": 2,
        "submit": True,
        "categories": [
            "verbal_abuse",
            "prolonged_detention",
            "unauthorized_recording",
            "personal_info_demand",
        ],
        "values": {
            "channel": "in_person_checkin",
            "location": "受付カウンター",
            "exam": "ITパスポート試験",
            "candidate_id_entered": REPEAT_CANDIDATE,
            "candidate_name": "山田 太郎",
            "demand": "遅刻したが受験させろ、できないなら受験料を全額返金しろ。",
            "demand_legitimacy": "no",
            "exact_words": "お前の名前を教えろ。ネットに晒してやる。",
            "repetitions": 15,
            "narrative": (
                "受験開始時刻の20分後に来場。規定により受験できないことを説明したところ、"
                "大声で暴言を繰り返し、約40分間受付から離れなかった。"
                "スタッフの名札をスマートフォンで撮影し、氏名を教えるよう何度も要求した。"
            ),
            "staff_response": "規定を説明し、スーパーバイザーを呼んだ。撮影をやめるよう求めた。",
            "duration_minutes": 40,
            "witnesses": "TKY-0007（スーパーバイザー）、他の受験者2名",
            "support_requested": True,
        },
    },
    {
        "key": "osaka-phone-repeat",
        "reporter": "staff.osaka",
        "center": "OSA01",
        "days_ago": 21,
        "submit": True,
        "categories": ["excessive_demand", "repeated_accountability_demand"],
        "values": {
            "channel": "phone",
            "location": "Center phone line",
            "candidate_id_entered": REPEAT_CANDIDATE,
            "demand": "A free retest this week and a written apology from the proctor.",
            "demand_legitimacy": "partly",
            "exact_words": "I will keep calling until someone gives me what I want.",
            "repetitions": 6,
            "narrative": (
                "The candidate called six times in one afternoon about a rescheduling that had "
                "already been refunded. Each call repeated the same demand and grew more "
                "aggressive; the last call ended with a threat to post about the center online."
            ),
            "staff_response": "Explained the refund already made; ended the last call politely.",
            "duration_minutes": 75,
        },
    },
    {
        "key": "tokyo-unknown-caller",
        "reporter": "staff.tokyo",
        "center": "TKY01",
        "days_ago": 9,
        "submit": True,
        "categories": ["verbal_abuse"],
        "values": {
            "channel": "phone",
            "location": "代表電話",
            "demand": "試験結果の再採点。",
            "demand_legitimacy": "unsure",
            "exact_words": "覚えておけ。ただでは済まさないぞ。",
            "narrative": "名乗らない男性から電話があり、再採点を求めて暴言と脅迫を繰り返した。",
            "staff_response": "再採点は試験主催者が判断すると説明し、通話を終えた。",
            "duration_minutes": 15,
        },
    },
    {
        "key": "osaka-testing-room",
        "reporter": "staff.osaka",
        "center": "OSA01",
        "days_ago": 5,
        "submit": True,
        "categories": ["disobeying_instructions", "unjustified_apology_demand"],
        "values": {
            "channel": "testing_room",
            "location": "Testing room 2",
            "exam": "TOEFL",
            "candidate_id_entered": "OS88112233",
            "demand": "That the proctor kneel and apologise for a warning about a phone.",
            "demand_legitimacy": "no",
            "narrative": (
                "The candidate kept a phone on the desk after two warnings, then stood up and "
                "demanded that the proctor kneel and apologise in front of the other candidates."
            ),
            "staff_response": "Stopped the candidate's session and asked the supervisor to come.",
            "duration_minutes": 10,
            "advice_requested": True,
        },
    },
    {
        "key": "osaka-online-post",
        "reporter": "staff.osaka",
        "center": "OSA01",
        "days_ago": 3,
        "submit": True,
        "categories": ["credibility_damage", "personal_info_demand"],
        "values": {
            "channel": "social_media",
            "online_url": "https://social.example.com/post/12345",
            "candidate_id_entered": REPEAT_CANDIDATE,
            "demand": "None stated: a post naming a member of staff.",
            "demand_legitimacy": "no",
            "narrative": (
                "A post claimed the Osaka center cheats candidates and gave the full name of a "
                "member of staff. A screenshot was taken before the post could be deleted."
            ),
            "staff_response": "Took a screenshot and told the supervisor.",
        },
    },
    {
        "key": "tokyo-draft",
        "reporter": "staff.tokyo",
        "center": "TKY01",
        "days_ago": 0,
        "submit": False,
        "categories": ["unjustified_face_to_face"],
        "values": {
            "channel": "email",
            "demand": "センター長との面談。",
            "narrative": "（下書き）メールで面談を繰り返し要求されている。",
        },
    },
]


def occurred(now, days_ago: int):
    """10:15 in the morning, Tokyo time, ``days_ago`` days ago (today: an hour ago)."""
    if days_ago == 0:
        return timezone.localtime(now - timedelta(hours=1)).replace(second=0, microsecond=0)
    day = timezone.localtime(now - timedelta(days=days_ago))
    return day.replace(hour=10, minute=15, second=0, microsecond=0)
