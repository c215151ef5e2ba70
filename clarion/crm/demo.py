"""Demo CRM data: companies, contacts (English and Chinese names) and deals in two pipelines,
with custom properties and some history, all written through the services so the timelines
and events are real. Safe to run twice: it does nothing once the demo companies exist."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from clarion.core.properties.models import PropertyDefinition
from clarion.core.properties.services import create_property
from clarion.crm.models import Company, Contact, Deal, LifecycleStage, Pipeline, Stage
from clarion.crm.services import associate, create_record, update_record

COMPANIES = [
    # name, domain, industry, city, country, tier
    ("Northwind Analytics", "northwind.example.com", "Software", "Seattle", "United States",
     "gold"),
    ("Bluebird Logistics", "bluebird.example.com", "Logistics", "Rotterdam", "Netherlands",
     "silver"),
    ("Acme Robotics", "acme-robotics.example.com", "Manufacturing", "Detroit", "United States",
     "gold"),
    ("Harbor Health", "harborhealth.example.com", "Healthcare", "Boston", "United States",
     "silver"),
    ("Evergreen Foods", "evergreen.example.com", "Food & beverage", "Portland",
     "United States", "bronze"),
    ("Lumen Energy", "lumen.example.com", "Energy", "Berlin", "Germany", "silver"),
    ("Quill & Page Publishing", "quillpage.example.com", "Media", "London", "United Kingdom",
     "bronze"),
    ("Summit Outdoor", "summit.example.com", "Retail", "Denver", "United States", "bronze"),
    ("Atlas Finance", "atlasfinance.example.com", "Financial services", "Toronto", "Canada",
     "gold"),
    ("星辰科技", "xingchen.example.com", "Software", "上海", "中国", "gold"),
    ("云帆软件", "yunfan.example.com", "Software", "北京", "中国", "silver"),
    ("海纳电子", "haina.example.com", "Electronics", "深圳", "中国", "gold"),
    ("绿茶网络", "lvcha.example.com", "Internet", "杭州", "中国", "bronze"),
    ("熊猫物流", "xiongmao.example.com", "Logistics", "成都", "中国", "silver"),
    ("珠江贸易", "zhujiang.example.com", "Trading", "广州", "中国", "bronze"),
]
ENGLISH_NAMES = [
    ("Emma", "Johnson"), ("Liam", "Smith"), ("Olivia", "Brown"), ("Noah", "Davis"),
    ("Ava", "Miller"), ("Ethan", "Wilson"), ("Sophia", "Moore"), ("Mason", "Taylor"),
    ("Isabella", "Anderson"), ("Lucas", "Thomas"), ("Mia", "Jackson"), ("James", "White"),
    ("Charlotte", "Harris"), ("Benjamin", "Martin"), ("Amelia", "Thompson"),
    ("Henry", "Garcia"), ("Harper", "Martinez"), ("Alexander", "Robinson"),
    ("Evelyn", "Clark"), ("Daniel", "Lewis"), ("Grace", "Walker"), ("Samuel", "Hall"),
    ("Chloe", "Allen"), ("Jack", "Young"), ("Lily", "King"), ("Owen", "Wright"),
    ("Zoe", "Scott"), ("Leo", "Green"), ("Nora", "Baker"), ("Caleb", "Adams"),
]
CHINESE_NAMES = [
    # given name, family name, romanized for the email address
    ("芳", "王", "wang.fang"), ("伟", "李", "li.wei"), ("敏", "张", "zhang.min"),
    ("静", "刘", "liu.jing"), ("磊", "陈", "chen.lei"), ("洋", "杨", "yang.yang"),
    ("艳", "赵", "zhao.yan"), ("勇", "黄", "huang.yong"), ("军", "周", "zhou.jun"),
    ("杰", "吴", "wu.jie"), ("娟", "徐", "xu.juan"), ("涛", "孙", "sun.tao"),
    ("明", "胡", "hu.ming"), ("超", "朱", "zhu.chao"), ("秀英", "高", "gao.xiuying"),
    ("霞", "林", "lin.xia"), ("平", "何", "he.ping"), ("刚", "郭", "guo.gang"),
    ("桂英", "马", "ma.guiying"), ("丽", "罗", "luo.li"), ("强", "梁", "liang.qiang"),
    ("婷", "宋", "song.ting"), ("鹏", "郑", "zheng.peng"), ("华", "谢", "xie.hua"),
    ("红", "韩", "han.hong"), ("建国", "唐", "tang.jianguo"), ("玉兰", "冯", "feng.yulan"),
    ("晨", "于", "yu.chen"), ("晓东", "董", "dong.xiaodong"), ("雪", "曹", "cao.xue"),
]
JOB_TITLES = ["CEO", "CTO", "Head of Operations", "Marketing Manager", "Procurement Lead",
              "Sales Director", "Product Manager", "Engineer", "CFO", "Office Manager"]
CHINESE_JOB_TITLES = ["总经理", "技术总监", "采购经理", "市场经理", "销售总监", "产品经理",
                      "工程师", "财务总监"]
PARTNERSHIP_STAGES = [("Introduction", 10, "open"), ("Evaluation", 30, "open"),
                      ("Agreement drafted", 60, "open"), ("Signed", 100, "won"),
                      ("Declined", 0, "lost")]
LIFECYCLE_PATH = [LifecycleStage.SUBSCRIBER, LifecycleStage.LEAD, LifecycleStage.MQL,
                  LifecycleStage.SQL, LifecycleStage.OPPORTUNITY, LifecycleStage.CUSTOMER]


def _properties(admin) -> None:
    wanted = [
        ("contact", "Preferred language", "preferred_language", "select", "Preferences",
         [("en", "English"), ("zh", "中文"), ("de", "Deutsch"), ("nl", "Nederlands")]),
        ("contact", "LinkedIn profile", "linkedin_profile", "url", "Social", []),
        ("company", "Tier", "tier", "select", "Account",
         [("gold", "Gold"), ("silver", "Silver"), ("bronze", "Bronze")]),
        ("deal", "Contract length (months)", "contract_months", "number", "Terms", []),
    ]
    for object_type, label, name, kind, group, options in wanted:
        if PropertyDefinition.objects.filter(object_type=object_type, name=name).exists():
            continue
        create_property(actor=admin, object_type=object_type, label=label, name=name,
                        type=kind, group=group,
                        options=[{"value": v, "label": text} for v, text in options],
                        validation={"min": "1", "max": "60"} if kind == "number" else None)


def partnerships_pipeline() -> Pipeline:
    pipeline, created = Pipeline.objects.get_or_create(name="Partnerships",
                                                       defaults={"position": 1})
    if created:
        Stage.objects.bulk_create(
            Stage(pipeline=pipeline, name=name, position=position, probability=probability,
                  outcome=outcome)
            for position, (name, probability, outcome) in enumerate(PARTNERSHIP_STAGES))
    return pipeline


def _companies(rng, owners) -> list[Company]:
    companies = []
    for name, domain, industry, city, country, tier in COMPANIES:
        companies.append(create_record(Company, actor=rng.choice(owners), values={
            "name": name, "domain": domain, "industry": industry, "city": city,
            "country": country, "owner": rng.choice(owners), "tier": tier,
            "employees": rng.choice([12, 45, 120, 380, 1500, 8000]),
            "lifecycle_stage": rng.choice(LIFECYCLE_PATH[1:])}))
    return companies


def _contacts(rng, owners, companies) -> list[Contact]:
    english = companies[:9]
    chinese = companies[9:]
    people = [(first, last, f"{first}.{last}".lower(), english, JOB_TITLES, "en")
              for first, last in ENGLISH_NAMES]
    people += [(first, last, slug, chinese, CHINESE_JOB_TITLES, "zh")
               for first, last, slug in CHINESE_NAMES]
    contacts = []
    for first, last, slug, employers, titles, language in people:
        company = rng.choice(employers)
        owner = rng.choice(owners)
        contact = create_record(Contact, actor=owner, values={
            "first_name": first, "last_name": last, "email": f"{slug}@{company.domain}",
            "job_title": rng.choice(titles), "city": company.city, "country": company.country,
            "owner": owner, "lifecycle_stage": LifecycleStage.SUBSCRIBER,
            "lead_status": "new", "preferred_language": language,
            "phone": f"+1 555 01{rng.randint(10, 99)}" if language == "en"
            else f"+86 138 0000 {rng.randint(1000, 9999)}"}, source=rng.choice(
                ["manual", "form", "import", "organic_search", "referral"]))
        contacts.append(contact)
    return contacts


def _history(rng, contacts) -> None:
    """Move some contacts along the lifecycle and change a few job titles, so timelines and
    field history have something to show."""
    for contact in rng.sample(contacts, 35):
        steps = rng.randint(1, len(LIFECYCLE_PATH) - 1)
        for stage in LIFECYCLE_PATH[1:steps + 1]:
            contact = update_record(contact, actor=contact.owner,
                                    values={"lifecycle_stage": stage})
        contact = update_record(contact, actor=contact.owner,
                                values={"lead_status": rng.choice(
                                    ["open", "in_progress", "connected", "attempted"])})
    for contact in rng.sample(contacts, 8):
        titles = CHINESE_JOB_TITLES if contact.last_name and not contact.last_name.isascii() \
            else JOB_TITLES
        update_record(contact, actor=contact.owner,
                      values={"job_title": rng.choice([t for t in titles
                                                       if t != contact.job_title])})


DEAL_NAMES = ["Annual licence", "Pilot project", "Expansion", "Renewal", "Onboarding package",
              "Support upgrade", "Data migration", "Training programme"]


def _deals(rng, owners, companies, contacts) -> None:
    sales = Pipeline.objects.get(is_default=True)
    partnerships = partnerships_pipeline()
    for number in range(25):
        pipeline = sales if number < 18 else partnerships
        stages = list(pipeline.stages.all())
        company = rng.choice(companies)
        owner = rng.choice(owners)
        deal = create_record(Deal, actor=owner, values={
            "name": f"{company.name} – {rng.choice(DEAL_NAMES)}", "pipeline": pipeline,
            "stage": stages[0], "company": company, "owner": owner,
            "amount": Decimal(rng.randrange(2_000, 250_000, 500)),
            "currency": "CNY" if not company.name.isascii() else "USD",
            "close_date": date.today() + timedelta(days=rng.randint(-30, 120)),
            "contract_months": rng.choice([6, 12, 24, 36])})
        employees = [c for c in contacts if c.company_id == company.pk]
        for contact in rng.sample(employees, min(len(employees), rng.randint(1, 2))):
            associate(actor=owner, record=deal, other=contact)
        open_stages = [stage for stage in stages if stage.outcome == Stage.Outcome.OPEN]
        path = open_stages[1:rng.randint(1, len(open_stages))]
        ending = rng.random()
        if ending < 0.35:
            closed = Stage.Outcome.WON if ending < 0.25 else Stage.Outcome.LOST
            path.append(next(stage for stage in stages if stage.outcome == closed))
        for stage in path:
            deal = update_record(deal, actor=owner, values={"stage": stage})


@transaction.atomic
def load_demo_records(people) -> bool:
    """Fill the CRM with demo records owned by `people`; False when they already exist."""
    admin = next(person for person in people if person.is_superuser)
    _properties(admin)
    partnerships_pipeline()
    if Company.objects.filter(domain=COMPANIES[0][1]).exists():
        return False
    rng = random.Random(2026)
    owners = [person for person in people if person.email.split("@")[0] in
              {"admin", "sam", "mia", "maya"}] or list(people)
    companies = _companies(rng, owners)
    contacts = _contacts(rng, owners, companies)
    _history(rng, contacts)
    _deals(rng, owners, companies, contacts)
    return True
