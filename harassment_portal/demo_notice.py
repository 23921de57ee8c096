"""The company's name, contact and appeal route that ``seed_demo`` puts on notices to
candidates. The company is the one the seeded policy names; the contact is made up (an
example.com address, a number no one answers), so a printed demo notice leads nowhere real."""

from __future__ import annotations

DEMO_NOTICE_CONTACT = {
    "company_name_ja": "プロメトリック株式会社",
    "company_name_en": "Prometric Japan Co., Ltd.",
    "phone": "03-0000-0000",
    "email": "ch-desk@example.com",
    "postal_address_ja": "〒100-0000\n東京都千代田区丸の内0-0-0 デモビル 10階",
    "postal_address_en": "Demo Building 10F, 0-0-0 Marunouchi\nChiyoda-ku, Tokyo 100-0000, Japan",
    "hours_ja": "平日 10:00〜17:00（土日祝日・年末年始を除く）",
    "hours_en": "Weekdays 10:00–17:00 JST (closed on weekends, public holidays and at New Year)",
    "appeal_route_ja": (
        "この決定に異議がある場合は、理由を記載した書面を下記のカスタマーハラスメント対応窓口"
        "あてに郵送またはメールでお送りください。決定に関わっていない責任者が再検討し、"
        "書面で回答します。"
    ),
    "appeal_route_en": (
        "If you disagree with this decision, send your reasons in writing by post or e-mail to "
        "the Customer Harassment Response Desk below. A manager who took no part in the decision "
        "will review it and answer you in writing."
    ),
    "appeal_deadline_ja": "この通知の日付から30日以内",
    "appeal_deadline_en": "Within 30 days of the date of this notice",
}
