"""Seed edition of the customer harassment policy (version 1) and its behaviour categories.

The English is the company's published text; the Japanese is a faithful edition of it.
"""

POLICY_TITLE = {
    "en": "Prometric Customer Harassment Policy",
    "ja": "プロメトリック カスタマーハラスメントに対する基本方針",
}

POLICY_SECTIONS = [
    {
        "key": "introduction",
        "heading_en": "Introduction",
        "heading_ja": "はじめに",
        "body_en": (
            "We at Prometric Japan Co., Ltd. (hereinafter referred to as Prometric) are committed "
            'to providing services that measure individuals\' "ability, skills, and aptitude" '
            '"accurately, quickly, and efficiently" and to providing "better learning and '
            'employment opportunities" to everyone, thereby contributing to the "development and '
            'utilization of human resources" in society.\n\n'
            "While providing services to realize this philosophy, Prometric listens sincerely to "
            "the valuable opinions and requests of Candidate and strives every day to provide "
            "services that satisfy them.\n\n"
            "In these circumstances, some Candidates have been engaging in abusive language and "
            "making unreasonable demands against staff of Prometric and its contracted companies "
            '(Test Center) (hereinafter referred to as "staff"), a type of behavior that has '
            'come to be called "customer harassment" in recent years.\n\n'
            'In light of this situation, we have formulated the "Prometric Customer Harassment '
            'Policy," believing that respecting the human rights of those who work there and '
            "ensuring a safe working environment are important issues in realizing the services we "
            "aim to provide.\n\n"
            "We believe that responding appropriately to customer harassment is essential to meet "
            "Candidates' expectations and provide the service we aim to provide. We appreciate "
            "your understanding and cooperation."
        ),
        "body_ja": (
            "プロメトリック株式会社（以下「プロメトリック」といいます）は、"
            "個人の「能力・技能・適性」を「正確に、迅速に、効率よく」測定するサービスを提供し、"
            "すべての人に「より良い学習と就業の機会」を提供することにより、"
            "社会における「人材の開発と活用」に貢献することを使命としています。\n\n"
            "プロメトリックは、この理念を実現するためのサービスを提供するなかで、"
            "受験者の皆様からいただく貴重なご意見・ご要望に真摯に耳を傾け、"
            "ご満足いただけるサービスの提供に日々努めております。\n\n"
            "こうしたなか、一部の受験者から、プロメトリックおよびその委託先企業（テストセンター）"
            "のスタッフ（以下「スタッフ」といいます）に対して、"
            "暴言や不当な要求が行われる事例が生じています。このような行為は、"
            "近年「カスタマーハラスメント」と呼ばれるようになっています。\n\n"
            "このような状況を踏まえ、プロメトリックは、そこで働く人々の人権を尊重し、"
            "安全な就業環境を確保することが、"
            "私たちが目指すサービスを実現するうえで重要な課題であると考え、「プロメトリック "
            "カスタマーハラスメントに対する基本方針」を策定いたしました。\n\n"
            "カスタマーハラスメントに適切に対応することは、受験者の皆様のご期待にお応えし、"
            "私たちが目指すサービスを提供するために不可欠であると考えております。"
            "皆様のご理解とご協力をお願い申し上げます。"
        ),
    },
    {
        "key": "definition",
        "heading_en": "Prometric's definition of customer harassment",
        "heading_ja": "プロメトリックにおけるカスタマーハラスメントの定義",
        "body_en": (
            "At Prometric, we use Ministry of Health, Labour and Welfare's \"Corporate Manual for "
            'Countermeasures against Customer Harassment" as a standard to define "customer '
            'harassment" as a complaint or verbal or physical action made by Candidate against '
            "staff, where, in light of the appropriateness of the request made in the complaint or "
            "verbal or physical action, the means or manner in which the request is realized is "
            "socially inappropriate, and where said means or manner harms the working environment "
            "of staff, etc.\n\n"
            "Prometric takes seriously the valuable opinions and requests we receive from "
            "Candidate and strives to provide services that satisfy Candidate, but will take firm "
            "action if any verbal or physical actions are found to be customer harassment."
        ),
        "body_ja": (
            "プロメトリックは、厚生労働省「カスタマーハラスメント対策企業マニュアル」を基準として、"
            "「カスタマーハラスメント」を、受験者からスタッフに対して行われるクレーム・言動のうち、"
            "当該クレーム・言動の要求内容の妥当性に照らして、"
            "当該要求を実現するための手段・態様が社会通念上不相当なものであって、"
            "当該手段・態様により、スタッフ等の就業環境が害されるもの、と定義します。\n\n"
            "プロメトリックは、受験者の皆様からいただく貴重なご意見・ご要望を真摯に受け止め、"
            "ご満足いただけるサービスの提供に努めておりますが、"
            "カスタマーハラスメントに該当する言動が認められた場合には、毅然とした対応を行います。"
        ),
    },
    {
        "key": "examples",
        "heading_en": "Customer harassment",
        "heading_ja": "カスタマーハラスメント",
        "body_en": (
            "Examples of behavior that constitutes customer harassment include time restrictions, "
            "repetitive requests, abusive language, nitpicking on the person handling the "
            "customer's case, threats, authoritarian requests, posting on social media, making "
            "excessive demands without a legitimate reason, and sexual harassment.\n\n"
            "The following are examples of behavior that may be considered customer harassment, "
            "but are not limited to these.\n\n"
            "- Physical attacks (assault, injury) and mental attacks (threats, intimidation, "
            "slander, libel, insults, abusive language, derogatory remarks and behavior, "
            "intimidating remarks and behavior) against staff etc.\n"
            "- Sexual harassment, stalking, and discriminatory behavior towards staff members\n"
            "- Prolonged detention at Test Center, related facilities, work spaces, or inquiry "
            "desk, continuous or persistent inquiries, refusing to leave, staying put, excessive "
            "repetition of the same requests or inquiries, and attacks or demands against staff or "
            "other individuals.\n"
            "- Requesting staff members to disclose personal information (such as their full "
            "names) or posting such information on social media or the internet, thereby violating "
            "their privacy\n"
            "- Taking unauthorized photographs or videos of staff, Test Center, related "
            "facilities, or work spaces, or recording conversations\n"
            "- Any act that damages the credibility of Prometric or its staff\n"
            "- Disobeying the instructions and warnings of staff, or entering Test Center or "
            "related facilities or work spaces without permission\n"
            "- Requests for face-to-face interaction without reasonable justification\n"
            "- Demands for apologies without reasonable justification (such as prostrating oneself "
            "on the grounds) or demands for punishment of staff members\n"
            "- Repeated demands for accountability in cases where the service provider is at "
            "fault, despite the provider having fully fulfilled its responsibility"
        ),
        "body_ja": (
            "カスタマーハラスメントに該当する行為の例としては、時間拘束、繰り返しの要求、暴言、"
            "対応者の揚げ足取り、脅迫、権威的な要求、SNSへの投稿、正当な理由のない過度な要求、"
            "セクシュアルハラスメントなどが挙げられます。\n\n"
            "以下は、カスタマーハラスメントに該当し得る行為の例です。ただし、"
            "これらに限られるものではありません。\n\n"
            "- スタッフ等に対する身体的な攻撃（暴行、傷害）および精神的な攻撃（脅迫、威嚇、中傷、"
            "名誉毀損、侮辱、暴言、人格を否定する言動、威圧的な言動）\n"
            "- スタッフに対するセクシュアルハラスメント、つきまとい行為、差別的な言動\n"
            "- テストセンター、関連施設、執務スペースまたは問い合わせ窓口における長時間の拘束、"
            "継続的・執拗な問い合わせ、退去の拒否、居座り、同じ要求や問い合わせの過度な繰り返し、"
            "ならびにスタッフその他の人に対する攻撃や要求\n"
            "- スタッフに個人情報（氏名等）の開示を求めること、"
            "またはそうした情報をSNSやインターネット上に投稿し、プライバシーを侵害すること\n"
            "- スタッフ、テストセンター、関連施設または執務スペースの無断での写真・動画の撮影、"
            "または会話の録音\n"
            "- プロメトリックまたはそのスタッフの信用を毀損する一切の行為\n"
            "- スタッフの指示・警告に従わないこと、またはテストセンター、"
            "関連施設もしくは執務スペースへの無断での立ち入り\n"
            "- 合理的な理由のない対面での対応の要求\n"
            "- 合理的な理由のない謝罪の要求（土下座等）、またはスタッフの処罰の要求\n"
            "- サービス提供者側に非がある場合において、"
            "提供者がその責任を十分に果たしているにもかかわらず、繰り返し説明を求め、"
            "責任を追及すること"
        ),
    },
    {
        "key": "measures",
        "heading_en": "Dealing with Customer Harassment",
        "heading_ja": "カスタマーハラスメントへの対応",
        "body_en": (
            "If Prometric determines that your behavior constitutes customer harassment, we may "
            "refuse to allow you to take the test. If Prometric determines that your behavior is "
            "malicious, we will work with the police and other relevant agencies and our client "
            "(the test organizer) to take strict action, including legal action."
        ),
        "body_ja": (
            "プロメトリックは、受験者の言動がカスタマーハラスメントに該当すると判断した場合、"
            "受験をお断りすることがあります。また、悪質な言動であると判断した場合には、"
            "警察その他の関係機関および当社のクライアント（試験主催者）と連携し、"
            "法的措置を含め厳正に対処いたします。"
        ),
    },
]

CATEGORIES = [
    {
        "code": "physical_attack",
        "default_severity": "critical",
        "name_en": "Physical attack",
        "name_ja": "身体的な攻撃（暴行・傷害）",
        "description_en": "Physical attacks against staff, such as assault or injury.",
        "description_ja": "スタッフに対する暴行、傷害などの身体的な攻撃。",
        "examples_en": (
            "- Hitting, pushing or kicking a member of staff\n"
            "- Throwing an object at staff or at the reception desk\n"
            "- Grabbing a staff member's arm or clothing to stop them walking away"
        ),
        "examples_ja": (
            "- スタッフを殴る、突き飛ばす、蹴る\n"
            "- スタッフや受付カウンターに向かって物を投げつける\n"
            "- 立ち去ろうとするスタッフの腕や服をつかんで引き止める"
        ),
    },
    {
        "code": "verbal_abuse",
        "default_severity": "high",
        "name_en": "Threats, insults or abusive language",
        "name_ja": "精神的な攻撃（脅迫・暴言・侮辱など）",
        "description_en": (
            "Mental attacks against staff: threats, intimidation, slander, libel, insults, abusive "
            "language, and derogatory or intimidating remarks and behavior."
        ),
        "description_ja": (
            "スタッフに対する脅迫、威嚇、中傷、名誉毀損、侮辱、暴言、人格を否定する言動、"
            "威圧的な言動などの精神的な攻撃。"
        ),
        "examples_en": (
            "- Shouting insults or swear words at staff at the check-in desk\n"
            '- Threatening staff, for example "I\'ll make sure you regret this"\n'
            "- Belittling a member of staff in front of other candidates\n"
            "- Banging on the desk and leaning over staff to intimidate them"
        ),
        "examples_ja": (
            "- 受付でスタッフに向かって大声で罵声や侮辱的な言葉を浴びせる\n"
            "- 「覚えておけ」「ただでは済まさないぞ」などとスタッフを脅す\n"
            "- ほかの受験者の前でスタッフをけなし、人格を否定するような発言をする\n"
            "- 机をたたき、スタッフに詰め寄って威圧する"
        ),
    },
    {
        "code": "sexual_harassment",
        "default_severity": "critical",
        "name_en": "Sexual harassment, stalking or discrimination",
        "name_ja": "セクシュアルハラスメント・つきまとい・差別的な言動",
        "description_en": (
            "Sexual harassment, stalking, and discriminatory behavior towards staff members."
        ),
        "description_ja": (
            "スタッフに対するセクシュアルハラスメント、つきまとい行為、差別的な言動。"
        ),
        "examples_en": (
            "- Making sexual remarks to a member of staff or touching them\n"
            "- Waiting for a member of staff outside the test center after their shift, or "
            "following them\n"
            "- Repeatedly asking a member of staff out or for their private contact details\n"
            "- Demeaning a member of staff because of their nationality, gender or age"
        ),
        "examples_ja": (
            "- スタッフに性的な発言をする、または身体に触れる\n"
            "- 勤務を終えたスタッフをテストセンターの外で待ち伏せする、後をつける\n"
            "- スタッフにしつこく交際を迫る、個人の連絡先を聞き出そうとする\n"
            "- 国籍、性別、年齢などを理由にスタッフをおとしめる発言をする"
        ),
    },
    {
        "code": "prolonged_detention",
        "default_severity": "medium",
        "name_en": "Prolonged detention or persistent inquiries",
        "name_ja": "長時間の拘束・執拗な問い合わせ",
        "description_en": (
            "Prolonged detention at the test center or inquiry desk, continuous or persistent "
            "inquiries, refusing to leave, or excessive repetition of the same requests."
        ),
        "description_ja": (
            "テストセンターや問い合わせ窓口での長時間の拘束、継続的・執拗な問い合わせ、退去の拒否、"
            "同じ要求の過度な繰り返し。"
        ),
        "examples_en": (
            "- Keeping a member of staff at the reception desk for over an hour, repeating the "
            "same complaint\n"
            "- Refusing to leave the test center after being asked to several times\n"
            "- Phoning the center several times a day with an inquiry that has already been "
            "answered"
        ),
        "examples_ja": (
            "- 同じ苦情を繰り返し、受付でスタッフを1時間以上拘束する\n"
            "- 何度も退出をお願いしているにもかかわらず、テストセンターに居座る\n"
            "- 回答済みの問い合わせについて、1日に何度もテストセンターに電話をかける"
        ),
    },
    {
        "code": "personal_info_demand",
        "default_severity": "high",
        "name_en": "Demanding or posting staff personal information",
        "name_ja": "スタッフの個人情報の要求・公開",
        "description_en": (
            "Requesting staff members to disclose personal information (such as their full names) "
            "or posting such information on social media or the internet."
        ),
        "description_ja": (
            "スタッフに個人情報（氏名等）の開示を求めること、"
            "またはそうした情報をSNSやインターネット上に投稿すること。"
        ),
        "examples_en": (
            '- Demanding a member of staff\'s full name "so I can report you"\n'
            "- Asking where a member of staff lives or for their private phone number\n"
            "- Posting a member of staff's name or photo on social media"
        ),
        "examples_ja": (
            "- 「本社に報告するから」などと言って、スタッフのフルネームを聞き出そうとする\n"
            "- スタッフの住所や個人の電話番号を尋ねる\n"
            "- スタッフの氏名や写真をSNSに投稿する"
        ),
    },
    {
        "code": "unauthorized_recording",
        "default_severity": "medium",
        "name_en": "Unauthorized photos, video or recording",
        "name_ja": "無断での撮影・録音",
        "description_en": (
            "Taking photographs or videos of staff, the test center or work spaces, or recording "
            "conversations, without permission."
        ),
        "description_ja": (
            "スタッフ、テストセンター、執務スペースを無断で写真・動画に撮影すること、"
            "または会話を無断で録音すること。"
        ),
        "examples_en": (
            "- Photographing a member of staff's name badge with a phone\n"
            "- Filming staff at the check-in desk during an argument\n"
            "- Secretly recording a conversation with staff"
        ),
        "examples_ja": (
            "- スタッフの名札をスマートフォンで撮影する\n"
            "- 受付で言い争いになった際に、スタッフを動画で撮影する\n"
            "- スタッフとの会話をこっそり録音する"
        ),
    },
    {
        "code": "credibility_damage",
        "default_severity": "medium",
        "name_en": "Damaging the credibility of Prometric or its staff",
        "name_ja": "プロメトリック・スタッフの信用の毀損",
        "description_en": (
            "Any act that damages the credibility of Prometric or its staff, including posts on "
            "social media."
        ),
        "description_ja": (
            "SNSへの投稿を含め、プロメトリックまたはそのスタッフの信用を毀損する行為。"
        ),
        "examples_en": (
            "- Posting false claims online that the test center cheats candidates\n"
            "- Posting a review that names a member of staff and calls them incompetent\n"
            "- Telling other candidates, without any basis, that staff tamper with scores"
        ),
        "examples_ja": (
            "- 「このテストセンターは受験者をだましている」"
            "などの虚偽の内容をインターネットに投稿する\n"
            "- スタッフの名前を挙げて「無能だ」などと書いたレビューを投稿する\n"
            "- 「スタッフが採点を操作している」などと、根拠なくほかの受験者に言いふらす"
        ),
    },
    {
        "code": "disobeying_instructions",
        "default_severity": "medium",
        "name_en": "Disobeying instructions or entering without permission",
        "name_ja": "指示・警告への不服従、無断での立ち入り",
        "description_en": (
            "Disobeying the instructions and warnings of staff, or entering the test center or "
            "work spaces without permission."
        ),
        "description_ja": (
            "スタッフの指示・警告に従わないこと、"
            "またはテストセンターや執務スペースに無断で立ち入ること。"
        ),
        "examples_en": (
            "- Refusing to put belongings in a locker despite repeated instructions\n"
            "- Going behind the reception desk or into the staff office without permission\n"
            "- Entering the testing room before check-in has been completed"
        ),
        "examples_ja": (
            "- 再三の指示にもかかわらず、私物をロッカーに入れることを拒む\n"
            "- 許可なく受付カウンターの内側やスタッフの事務室に入る\n"
            "- 受付手続きが終わる前に試験室に入り込む"
        ),
    },
    {
        "code": "unjustified_face_to_face",
        "default_severity": "low",
        "name_en": "Unjustified demand for a face-to-face meeting",
        "name_ja": "合理的な理由のない対面対応の要求",
        "description_en": "Requests for face-to-face interaction without reasonable justification.",
        "description_ja": "合理的な理由のない、対面での対応の要求。",
        "examples_en": (
            "- Insisting that the center manager meet them in person about a matter already "
            "answered by email\n"
            "- Demanding that a member of staff come to their home or workplace to explain"
        ),
        "examples_ja": (
            "- メールで回答済みの件について、センター責任者が直接会って説明するよう強く求める\n"
            "- 説明のために、スタッフが自宅や勤務先まで来るよう要求する"
        ),
    },
    {
        "code": "unjustified_apology_demand",
        "default_severity": "medium",
        "name_en": "Unjustified demand for an apology or punishment",
        "name_ja": "合理的な理由のない謝罪・処罰の要求",
        "description_en": (
            "Demands for apologies (such as prostrating oneself) or for punishment of staff "
            "members without reasonable justification."
        ),
        "description_ja": "合理的な理由のない謝罪（土下座等）の要求、またはスタッフの処罰の要求。",
        "examples_en": (
            "- Demanding that a member of staff kneel on the floor and apologize\n"
            "- Demanding a signed written apology from a member of staff who followed the exam "
            "rules\n"
            "- Demanding that a member of staff be fired or disciplined"
        ),
        "examples_ja": (
            "- スタッフに土下座して謝るよう要求する\n"
            "- 試験規則どおりに対応したスタッフに、署名入りの謝罪文を書くよう求める\n"
            "- スタッフを解雇する、または処分するよう要求する"
        ),
    },
    {
        "code": "repeated_accountability_demand",
        "default_severity": "low",
        "name_en": "Repeated demands for accountability",
        "name_ja": "責任を果たした後の繰り返しの責任追及",
        "description_en": (
            "Repeated demands for accountability after Prometric has fully fulfilled its "
            "responsibility."
        ),
        "description_ja": (
            "プロメトリックが責任を十分に果たした後も、繰り返し説明を求め、責任を追及すること。"
        ),
        "examples_en": (
            "- Continuing to demand explanations of a system outage after a refund and a free "
            "retest have been given\n"
            "- Calling every week about a resolved booking error, demanding a new explanation each "
            "time"
        ),
        "examples_ja": (
            "- 返金と無料での再受験により対応済みのシステム障害について、なおも説明を求め続ける\n"
            "- 解決済みの予約の誤りについて毎週電話をかけ、そのたびに改めて説明を求める"
        ),
    },
    {
        "code": "excessive_demand",
        "default_severity": "medium",
        "name_en": "Excessive or authoritarian demands",
        "name_ja": "過度な要求・権威的な要求",
        "description_en": (
            "Excessive or authoritarian demands without a legitimate reason, including time "
            "restrictions."
        ),
        "description_ja": "正当な理由のない過度な要求や権威的な要求（時間を区切った要求を含む）。",
        "examples_en": (
            "- Demanding a retest today, within the hour\n"
            "- Demanding a pass certificate or extra exam time without a legitimate reason\n"
            '- Saying "Do you know who I am?" and demanding special treatment'
        ),
        "examples_ja": (
            "- 「今日中に、1時間以内に再受験させろ」と要求する\n"
            "- 正当な理由なく、合格証の発行や試験時間の延長を要求する\n"
            "- 「私を誰だと思っているんだ」などと言って特別扱いを要求する"
        ),
    },
    {
        "code": "other",
        "default_severity": "low",
        "name_en": "Other",
        "name_ja": "その他",
        "description_en": "Other behavior that the reporter judges to be customer harassment.",
        "description_ja": "上記以外で、報告者がカスタマーハラスメントに当たると判断した言動。",
        "examples_en": (
            "- Behavior not covered by the categories above that harmed your working environment\n"
            "- Describe what happened in the narrative; a supervisor will review and classify it"
        ),
        "examples_ja": (
            "- 上記のいずれにも当てはまらないが、就業環境が害されたと感じた言動\n"
            "- どのような言動だったかを報告の中で具体的に記入してください。"
            "スーパーバイザーが確認のうえ分類します"
        ),
    },
]
