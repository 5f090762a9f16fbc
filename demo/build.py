"""Builds the bundled demo site (demo/site/) and its list of planted problems (planted.json).

Northwind Ledger is a made-up bookkeeping software company: home, about, contact, pricing,
product pages, a blog with four authors, author pages, FAQ, support, tag listings and legal
pages. Each planted problem is written into the pages below and listed in planted.json with
the rule it must trigger and where. Run `python -m aeo.demo.build` after editing; the output is
committed so the site can be read and served as plain files.
"""

from __future__ import annotations

import json
import shutil
from html import escape
from pathlib import Path

HERE = Path(__file__).parent
SITE = HERE / "site"
BASE = "http://demo.northwind.test"   # replaced by the real origin when served
ORG = "Northwind Ledger"

PLANTED: list[dict] = []


def plant(rule: str, path: str, note: str) -> None:
    PLANTED.append({"rule": rule, "path": path, "note": note})


AUTHORS = {
    "maria-okafor": dict(name="Maria Okafor", title="Head of Accounting Content, CPA",
                         bio="Maria Okafor is a certified public accountant with twelve years "
                             "of experience auditing small businesses. She leads accounting "
                             "content at Northwind Ledger and previously worked at a regional "
                             "audit firm in Leeds.",
                         same_as=["https://www.linkedin.com/in/maria-okafor-demo"],
                         knows=["bookkeeping", "small business tax", "audit"]),
    "daniel-reyes": dict(name="Daniel Reyes", title="Payroll Specialist",
                         bio="Daniel Reyes has run payroll for restaurants, clinics and "
                             "construction firms for nine years and holds the CPP payroll "
                             "certification.",
                         same_as=["https://www.linkedin.com/in/daniel-reyes-demo"],
                         knows=["payroll", "employment tax"]),
    "priya-natarajan": dict(name="Priya Natarajan", title="Product Manager, Invoicing",
                            bio="Priya Natarajan builds Northwind Ledger's invoicing and "
                                "payments features.",
                            same_as=[], knows=["invoicing", "payments"]),
    # AT005 planted: this author page gives no credentials or expertise at all.
    "sam-lee": dict(name="Sam Lee", title="", bio="Sam writes for the Northwind blog.",
                    same_as=[], knows=[]),
}

PARA = {
    "cash": [
        "Cash flow is the difference between the money that arrives in a business account and the money that leaves it over a given period.",
        "A business can be profitable on paper and still run out of cash when customers pay slowly and suppliers expect payment quickly.",
        "Most owners we work with review their cash position once a week, usually on Monday morning, before approving supplier payments.",
        "A thirteen-week cash forecast lists expected receipts and payments week by week and shows the lowest balance the account will reach.",
        "Start with the opening bank balance, add invoices you expect to collect, subtract payroll, rent, loan repayments and tax payments, and roll the balance forward.",
        "Update the forecast with actual figures every week so that errors in your assumptions become visible within a month.",
    ],
    "tax": [
        "Quarterly estimated tax payments are due in April, June, September and January for most sole proprietors in the United States.",
        "The safe harbour rule lets you avoid an underpayment penalty if you pay at least the tax shown on last year's return, spread across the four quarters.",
        "Keep receipts for every expense you deduct, because the burden of proof sits with the taxpayer in an audit.",
        "A separate business bank account makes it far easier to prove which expenses were business expenses and which were personal.",
        "Set aside a fixed share of each payment you receive in a tax savings account so the quarterly payment never comes as a surprise.",
        "Your accountant will ask for a profit and loss statement, a balance sheet and a list of fixed asset purchases at year end.",
    ],
    "payroll": [
        "Payroll covers gross wages, the taxes withheld from them, the employer's own payroll taxes, and the filings that report all three.",
        "A new employee must complete a W-4 form before their first pay run so that federal income tax can be withheld correctly.",
        "Misclassifying an employee as a contractor is one of the most expensive payroll mistakes, because back taxes and penalties accumulate for every pay period.",
        "Run payroll on the same schedule every time, and approve it at least two banking days before pay day so direct deposits arrive on time.",
        "Keep payroll records for at least four years, including time sheets, pay rates and copies of every filing.",
        "When an employee leaves, some states require the final paycheck on their last working day, so check the rule before the exit meeting.",
    ],
    "invoice": [
        "An invoice should show your business name, the customer's name, a unique invoice number, the date, what was delivered, the amount due and the payment terms.",
        "Net 30 terms mean the customer has thirty days from the invoice date to pay; stating the due date as a calendar date removes any doubt.",
        "Invoices sent on the day the work is finished are paid faster than invoices sent at the end of the month.",
        "A polite reminder three days before the due date, and another on the day after it, recovers most late payments without a phone call.",
        "Offering card and bank transfer payment links on the invoice shortens the time to payment for most small businesses.",
        "Number invoices in one unbroken sequence so that gaps are easy to spot when you reconcile your accounts.",
    ],
    "books": [
        "Bookkeeping is the daily recording of transactions; accounting is the analysis and reporting built on top of those records.",
        "Reconcile every bank account monthly by matching each transaction in your books to a line on the bank statement.",
        "The chart of accounts is the list of categories your transactions are sorted into, such as sales, rent, software and travel.",
        "Accrual accounting records revenue when it is earned and expenses when they are incurred, not when cash changes hands.",
        "Closing the books each month means locking the period after reconciliation so that figures already reported cannot change silently.",
        "A month-end checklist keeps the close consistent: reconcile accounts, review unpaid invoices, record depreciation, and compare the results with last month.",
    ],
}


def paras(topic: str, n: int, start: int = 0) -> list[str]:
    bank = PARA[topic]
    out = []
    for i in range(n):
        a = bank[(start + i) % len(bank)]
        b = bank[(start + i + 1) % len(bank)]
        c = bank[(start + i + 3) % len(bank)]
        out.append(f"{a} {b} {c}")
    return out


def page(path: str, title: str, body: str, *, jsonld: list | None = None, canonical: str | None = "self",
         head_extra: str = "", og_type: str = "website", description: str = "", main_attrs: str = "") -> None:
    url = BASE + path
    canon = ""
    if canonical == "self":
        canon = f'<link rel="canonical" href="{url}">'
    elif canonical:
        canon = f'<link rel="canonical" href="{BASE}{canonical}">'
    ld = "".join(f'<script type="application/ld+json">{x if isinstance(x, str) else json.dumps(x, indent=1)}</script>\n'
                 for x in (jsonld or []))
    html = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<meta name="description" content="{escape(description or title)}">
<meta property="og:site_name" content="{ORG}">
<meta property="og:type" content="{og_type}">
<meta property="og:title" content="{escape(title)}">
{canon}
{head_extra}
{ld}</head>
<body>
<header><a href="/">{ORG}</a>
<nav><a href="/products/invoicing">Invoicing</a> <a href="/products/payroll">Payroll</a> <a href="/pricing">Pricing</a> <a href="/blog/">Blog</a> <a href="/faq">FAQ</a> <a href="/about">About</a> <a href="/contact">Contact</a></nav>
</header>
<main{main_attrs}>
{body}
</main>
<footer><p>&copy; 2026 {ORG} Ltd. <a href="/privacy">Privacy</a> <a href="/terms">Terms</a> <a href="/cookies">Cookies</a> <a href="/careers">Careers</a> <a href="/customers">Customers</a> <a href="/support/common-questions">Support</a></p></footer>
</body>
</html>
"""
    # "/" and "/blog/" are folders with an index.html; "/about" is about.html
    rel = path.strip("/")
    target = SITE / rel / "index.html" if path.endswith("/") else SITE / f"{rel}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, "utf-8")
    SITEMAP.append(path)


SITEMAP: list[str] = []
ORG_LD = {"@context": "https://schema.org", "@type": "Organization", "@id": f"{BASE}/#org",
          "name": ORG, "url": f"{BASE}/", "logo": f"{BASE}/logo.png",
          "sameAs": ["https://www.linkedin.com/company/northwind-ledger-demo"],
          "foundingDate": "2016", "address": {"@type": "PostalAddress", "addressLocality": "Leeds",
                                              "addressCountry": "GB"},
          "description": "Bookkeeping software for small businesses and their accountants.",
          "legalName": "Northwind Ledger Ltd",
          "contactPoint": {"@type": "ContactPoint", "contactType": "customer support",
                           "email": "hello@northwind.test", "telephone": "+44 113 496 0000"}}


def person_ld(slug: str, full: bool = True) -> dict:
    a = AUTHORS[slug]
    d = {"@type": "Person", "name": a["name"], "url": f"{BASE}/authors/{slug}"}
    if full:
        if a["title"]:
            d["jobTitle"] = a["title"]
        d["description"] = a["bio"]
        if a["same_as"]:
            d["sameAs"] = a["same_as"]
        if a["knows"]:
            d["knowsAbout"] = a["knows"]
        d["worksFor"] = {"@id": f"{BASE}/#org"}
    return d


def article(slug: str, title: str, author: str | None, topic: str, n_paras: int, *,
            published="2026-06-02", modified="2026-09-15", headings: list[str] | None = None,
            extra_top: str = "", extra_bottom: str = "", ld_override: dict | str | None = None,
            byline: str | None = None, h1: str | None = None, head_extra: str = "",
            canonical: str | None = "self", external_link: bool = True, visible_date=True,
            opening: str | None = None, intro_after_h1: str = "",
            crumb_without_position: bool = False) -> None:
    path = f"/blog/{slug}"
    a = AUTHORS.get(author) if author else None
    name = byline if byline is not None else (a["name"] if a else "")
    heads = headings or []
    blocks = []
    ps = paras(topic, n_paras, start=len(slug))
    if opening:
        ps[0] = opening
    per = max(1, len(ps) // (len(heads) + 1))
    idx = 0
    for i in range(len(heads) + 1):
        if i > 0:
            blocks.append(f"<h2>{escape(heads[i - 1])}</h2>")
        for p in ps[idx: idx + per] if i < len(heads) else ps[idx:]:
            blocks.append(f"<p>{escape(p)}</p>")
        idx += per
    if external_link:
        blocks.append('<p>For the official rules, see the <a href="https://www.irs.gov/businesses/small-businesses-self-employed">IRS small business guidance</a>.</p>')
    by = ""
    if name:
        link = f'<a href="/authors/{author}" rel="author">{escape(name)}</a>' if a and byline is None else escape(name)
        by = f'<p class="byline">By {link}</p>'
    date_html = f'<p class="date">Published <time datetime="{published}">{published}</time>' + \
        (f' · Updated <time datetime="{modified}">{modified}</time>' if modified else "") + "</p>" if visible_date else ""
    # a visible breadcrumb in microdata (the site's second syntax beside JSON-LD)
    last = "" if crumb_without_position else '<meta itemprop="position" content="3">'
    crumbs = (
        '<nav class="breadcrumb"><ol itemscope itemtype="https://schema.org/BreadcrumbList">'
        '<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
        f'<a itemprop="item" href="{BASE}/"><span itemprop="name">Home</span></a>'
        '<meta itemprop="position" content="1"></li> › '
        '<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
        f'<a itemprop="item" href="{BASE}/blog/"><span itemprop="name">Blog</span></a>'
        '<meta itemprop="position" content="2"></li> › '
        '<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
        f'<span itemprop="name">{escape(title)}</span>{last}</li></ol></nav>')
    body = f"""{crumbs}
<article>
<h1>{escape(h1 or title)}</h1>
{by}
{date_html}
{intro_after_h1}
{extra_top}
{''.join(blocks)}
{extra_bottom}
<p>Tags: <a href="/tag/{topic}">{topic}</a></p>
</article>"""
    ld = ld_override
    if ld is None:
        ld = {"@context": "https://schema.org", "@type": "BlogPosting", "headline": title,
              "datePublished": published, "image": f"{BASE}/img/{slug}.png",
              "publisher": {"@id": f"{BASE}/#org"}}
        if modified:
            ld["dateModified"] = modified
        if a:
            ld["author"] = person_ld(author)
    page(path, f"{title} | {ORG}", body, jsonld=[ld], og_type="article", head_extra=head_extra,
         canonical=canonical)
    POSTS.append((slug, title, topic))


POSTS: list[tuple[str, str, str]] = []


def build() -> None:
    if SITE.exists():
        shutil.rmtree(SITE)
    SITE.mkdir(parents=True)
    PLANTED.clear()
    SITEMAP.clear()
    POSTS.clear()

    # ---- blog posts ----------------------------------------------------------------------
    article("cash-flow-forecasting-basics", "How to Build a 13-Week Cash Flow Forecast", "maria-okafor",
            "cash", 8, headings=["What is a 13-week cash flow forecast?", "How often should you update it?",
                                 "Which figures go into the forecast?"])
    plant("ACC007", "/blog/cash-flow-forecasting-basics", "left out of sitemap.xml")

    article("quarterly-tax-guide", "Quarterly Estimated Taxes for Sole Proprietors", "maria-okafor", "tax", 8,
            headings=["When are quarterly taxes due?", "How much should you set aside?", "What records do you need?"],
            canonical="/blog/quarterly-taxes-old")
    plant("ACC008", "/blog/quarterly-tax-guide", "canonical points to a URL that answers 404")

    article("2019-tax-checklist", "Our 2019 Year-End Tax Checklist", "maria-okafor", "tax", 6,
            published="2019-11-20", modified="2019-12-01",
            head_extra='<meta name="robots" content="noindex, follow">',
            headings=["What should you file before December 31?"])
    plant("ACC005", "/blog/2019-tax-checklist", "meta robots noindex on an article")
    plant("FR002", "/blog/2019-tax-checklist", "last modified in 2019")

    article("hiring-your-first-employee", "Hiring Your First Employee: A Payroll Checklist", "daniel-reyes",
            "payroll", 7, headings=["Do you need a W-4 for every new hire?", "How do you set up payroll?"],
            extra_bottom='<p>We covered the most common errors in <a href="/blog/payroll-mistakes-2021">our payroll mistakes roundup</a>.</p>')
    plant("ACC009", "/blog/payroll-mistakes-2021", "linked from /blog/hiring-your-first-employee; answers 404")

    article("contractor-or-employee", "Contractor or Employee? How to Classify Workers", "daniel-reyes",
            "payroll", 7, headings=["What is the difference between a contractor and an employee?",
                                    "Why does classification matter?"], crumb_without_position=True)
    plant("SD003", "/blog/contractor-or-employee", "microdata breadcrumb ListItem without position")
    article("final-paycheck-rules", "Final Paycheck Rules by State", "daniel-reyes", "payroll", 6,
            headings=["When is the final paycheck due?"], byline="Admin")
    plant("AT006", "/blog/final-paycheck-rules", "visible byline is the generic 'Admin'")
    plant("AT004", "/blog/final-paycheck-rules", "byline 'Admin' differs from markup author Daniel Reyes")
    plant("SD006", "/blog/final-paycheck-rules", "markup author Daniel Reyes is not named on the page")

    article("invoice-templates", "What to Put on an Invoice", "priya-natarajan", "invoice", 6,
            published="2026-05-11", modified="2026-09-15",
            headings=["What must an invoice include?", "How should you number invoices?"],
            ld_override='{"@context": "https://schema.org", "@type": "BlogPosting", "headline": "What to Put on an Invoice", "datePublished": "2026-05-11", "dateModified": "2026-09-15", "image": "' + BASE + '/img/invoice-templates.png", "author": {"@type": "Person", "name": "Priya Natarajan", "url": "' + BASE + '/authors/priya-natarajan"},}')
    plant("SD001", "/blog/invoice-templates", "JSON-LD block with a trailing comma (a lenient repair recovers it)")
    plant("AT003", "/blog/invoice-templates", "the recovered author markup is a Person with a name and url only")

    article("late-invoices", "Getting Paid on Time", "priya-natarajan", "invoice", 6,
            published="2026-07-01", modified="2026-07-02",
            headings=["How do you remind a customer politely?", "Should you charge late fees?"],
            ld_override={"@context": "https://schema.org", "@type": "BlogPosting",
                         "headline": "How to Collect Late Payments Fast", "datePublished": "2026-07-01",
                         "dateModified": "2026-07-02", "image": f"{BASE}/img/late.png",
                         "author": person_ld("priya-natarajan")})
    plant("SD006", "/blog/late-invoices", "markup headline not visible on the page")
    plant("AT003", "/blog/late-invoices", "Priya Natarajan's Person markup lacks sameAs")

    article("expense-policy", "Writing an Expense Policy for a Small Team", "maria-okafor", "books", 6,
            opening="An expense policy tells a small team what it may spend company money on, how to claim it back and which receipts to keep, so that nobody has to ask twice.",
            headings=["What should an expense policy cover?"],
            ld_override={"@context": "https://schema.org", "@type": "BlogPosting", "headline":
                         "Writing an Expense Policy for a Small Team", "datepublished": "2026-04-02",
                         "dateModified": "2026-09-15", "image": f"{BASE}/img/expense-policy.png",
                         "Autor": {"@type": "Person", "name": "Maria Okafor"}})
    plant("SD002", "/blog/expense-policy", "properties 'datepublished' and 'Autor' are not schema.org terms")
    plant("SD004", "/blog/expense-policy", "the misspelled terms leave the posting without author and datePublished")

    article("bank-reconciliation", "Bank Reconciliation, Step by Step", "maria-okafor", "books", 7,
            published="2026-03-09", modified=None,
            headings=["How do you reconcile a bank account?", "What if the balances do not match?"],
            ld_override={"@context": "https://schema.org", "@type": "BlogPosting", "headline":
                         "Bank Reconciliation, Step by Step", "datePublished": "2026-03-09",
                         "author": person_ld("maria-okafor")})
    plant("SD004", "/blog/bank-reconciliation", "BlogPosting without image and dateModified")

    article("small-business-loans", "Small Business Loans: What Lenders Check", "sam-lee", "cash", 7,
            published="2025-03-03", modified="2026-09-15",
            headings=["Which loan fits a small business?", "What do lenders check?"],
            extra_top="<p>Before you apply for a loan, check your credit score: lenders use it to set the interest rate, and a tax return from the last two years is almost always required. Interest on a business loan is usually a tax deduction.</p>",
            ld_override={"@context": "https://schema.org", "@type": "BlogPosting",
                         "headline": "Small Business Loans: What Lenders Check",
                         "author": "Sam Lee", "datePublished": "March 3, 2025",
                         "dateModified": "2026-09-15", "image": f"{BASE}/img/loans.png"})
    plant("SD008", "/blog/small-business-loans", "author as a bare string and a non-ISO datePublished")
    plant("SD004", "/blog/small-business-loans", "the bare-string author has no url or sameAs")
    plant("AT007", "/blog/small-business-loans", "loan, credit score, interest rate, tax return, tax deduction; no reviewer")

    article("year-end-close-checklist", "The Year-End Close Checklist", "maria-okafor", "books", 12,
            opening="The year-end close locks a financial year in four steps: reconcile every account, review what customers owe, record depreciation and accruals, then lock the period.",
            headings=["Reconcile every account", "Review receivables", "Record depreciation", "Lock the period"])
    plant("QA001", "/blog/year-end-close-checklist", "long article, no heading phrased as a question")

    article("what-is-accrual-accounting", "Accrual vs Cash Accounting", "maria-okafor", "books", 6,
            headings=["What is accrual accounting?"],
            extra_bottom="<h2>Is accrual accounting right for you?</h2><p>Great question! Before we answer, let's take a look at how your business is set up and what your accountant prefers, because every business is different.</p>")
    plant("QA002", "/blog/what-is-accrual-accounting", "answer opens with 'Great question!' filler")

    article("month-end-close", "Month-End Close in Five Days", None, "books", 6,
            opening="A month-end close locks the month's books within five working days of its last day, after every bank account has been reconciled.",
            headings=["How do you close the books each month?"], visible_date=False,
            ld_override={"@context": "https://schema.org", "@type": "BlogPosting", "headline": "Month-End Close in Five Days",
                         "image": f"{BASE}/img/close.png", "publisher": {"@id": f"{BASE}/#org"}})
    plant("AT001", "/blog/month-end-close", "no byline and no author in markup or meta")
    plant("FR001", "/blog/month-end-close", "no publication date anywhere")
    plant("SD004", "/blog/month-end-close", "BlogPosting without author, datePublished or dateModified")

    article("invoice-payment-links", "Payment Links on Invoices", "priya-natarajan", "invoice", 6,
            headings=["Do payment links speed up collection?"], published="2026-08-10", modified="2026-05-01",
            extra_top='<p>Businesses that add payment links get paid 40% faster.</p><blockquote>"Every invoice we send now carries a payment link, and late payments have almost disappeared."</blockquote>')
    plant("FR003", "/blog/invoice-payment-links", "dateModified before datePublished")
    plant("FR005", "/blog/invoice-payment-links", "markup dateModified before datePublished")
    plant("CI001", "/blog/invoice-payment-links", "'40% faster' with no source")
    plant("CI003", "/blog/invoice-payment-links", "quotation not attributed to anyone")
    plant("AT003", "/blog/invoice-payment-links", "Priya Natarajan's Person markup lacks sameAs here too")

    article("payroll-tax-deadlines", "Payroll Tax Deadlines for 2026", "daniel-reyes", "payroll", 11,
            headings=["When are payroll taxes due?", "What happens if you pay late?"], external_link=False,
            opening="In today's fast-paced world, it's more important than ever to stay on top of things. It can be hard. We know it is a lot to keep track of, and it always seems to come at the worst time of year.")
    plant("CI002", "/blog/payroll-tax-deadlines", "long article with no link to another site")
    plant("EN004", "/blog/payroll-tax-deadlines", "opening paragraph is vague filler")

    long_intro = "<p>" + " ".join(paras("books", 6)) + " " + " ".join(paras("tax", 6)) + "</p>"
    article("complete-guide-small-business-bookkeeping", "The Complete Guide to Small Business Bookkeeping",
            "maria-okafor", "books", 30,
            headings=["What is bookkeeping?", "How do you choose a chart of accounts?", "How often should you reconcile?",
                      "What records should you keep?", "When should you hire an accountant?"],
            intro_after_h1=long_intro)
    plant("QA006", "/blog/complete-guide-small-business-bookkeeping", "over 1,500 words, no summary before the first H2")
    plant("QA005", "/blog/complete-guide-small-business-bookkeeping", "an opening paragraph of well over 150 words")

    # ---- author pages ----------------------------------------------------------------------
    for slug, a in AUTHORS.items():
        ld = {"@context": "https://schema.org", "@type": "ProfilePage",
              "dateCreated": "2024-01-15", "dateModified": "2026-06-01",
              "mainEntity": dict(person_ld(slug, full=slug != "sam-lee"),
                                 image=f"{BASE}/img/{slug}.jpg")}
        if not a["same_as"]:
            plant("SD004", f"/authors/{slug}", "the author's Person markup has no sameAs"
                  + (" or description" if slug == "sam-lee" else ""))
        posts = "".join(f'<li><a href="/blog/{s}">{escape(t)}</a></li>' for s, t, _ in POSTS[:4])
        title_line = f"<p class=\"role\">{escape(a['title'])}</p>" if a["title"] else ""
        page(f"/authors/{slug}", f"{a['name']} | {ORG}",
             f"<h1>{escape(a['name'])}</h1>{title_line}<p>{escape(a['bio'])}</p><h2>Recent articles</h2><ul>{posts}</ul>",
             jsonld=[ld], og_type="profile")

    # ---- products -------------------------------------------------------------------------
    products = {
        "invoicing": ("Invoicing", "invoice"), "payroll": ("Payroll", "payroll"),
        "expenses": ("Expense tracking", "books"), "tax-prep": ("Tax preparation", "tax"),
        "bank-sync": ("Bank sync", "books"),
    }
    for slug, (name, topic) in products.items():
        intro = f"<p>{ORG} {name} is part of every {ORG} plan and works with the rest of your books from the first day.</p>"
        body = f"<h1>{ORG} {name}</h1>" + intro + "".join(f"<p>{escape(p)}</p>" for p in paras(topic, 4, 2)) + \
            "<h2>What does it cost?</h2><p>Included in every plan from $19 a month. See <a href=\"/pricing\">pricing</a>.</p>"
        ld = [{"@context": "https://schema.org", "@type": "SoftwareApplication", "name": f"{ORG} {name}",
               "applicationCategory": "BusinessApplication", "operatingSystem": "Web",
               "offers": {"@type": "Offer", "price": "19.00", "priceCurrency": "USD"}}]
        if slug == "payroll":
            ld = []
            plant("SD005", "/products/payroll", "product page without Product/Service/SoftwareApplication markup")
        page(f"/products/{slug}", f"{name} | {ORG}", body, jsonld=ld)
    SITEMAP.remove("/products/bank-sync")
    plant("ACC007", "/products/bank-sync", "left out of sitemap.xml")

    shell = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Forecasting | Northwind Ledger</title>
<link rel="canonical" href="BASE/products/forecasting">
<meta property="og:site_name" content="Northwind Ledger"></head>
<body><div id="root"></div><noscript>You need to enable JavaScript to run this app.</noscript>
<script src="/static/js/main.4f9c2a.js"></script><script src="/static/js/vendor.81ab3e.js"></script></body></html>
""".replace("BASE", BASE)
    (SITE / "products").mkdir(exist_ok=True)
    (SITE / "products" / "forecasting.html").write_text(shell, "utf-8")
    SITEMAP.append("/products/forecasting")
    plant("ACC117", "/products/forecasting", "no meta description (the app shell's head)")
    plant("ACC004", "/products/forecasting", "empty #root mount node, text only after JavaScript")
    plant("SD005", "/products/forecasting", "the app shell carries no markup in its raw HTML")

    plans = "".join(f"<h2>{n}</h2><p>{d}</p>" for n, d in [
        ("Starter: $19 a month", "Invoicing, expenses and bank sync for one user. Unlimited invoices and receipts, monthly reports, email support within one business day."),
        ("Growth: $49 a month", "Everything in Starter plus payroll for up to ten employees, quarterly tax estimates, three users and phone support."),
        ("Firm: $99 a month", "Everything in Growth plus unlimited users, accountant access, audit trail exports and a named account manager.")])
    page("/pricing", f"Pricing | {ORG}",
         f"<h1>Pricing</h1><p>{ORG} has three plans, billed monthly or yearly with two months free on yearly billing. Every plan includes a 30-day free trial and no setup fee.</p>{plans}",
         jsonld=[{"@context": "https://schema.org", "@type": "Product", "name": f"{ORG} subscription",
                  "offers": {"@type": "AggregateOffer", "lowPrice": "19", "highPrice": "99", "priceCurrency": "USD"}}],
         canonical=None)
    plant("ACC008", "/pricing", "no canonical link")

    # ---- home, about, contact, faq, support, other ------------------------------------------
    latest = "".join(f'<li><a href="/blog/{s}">{escape(t)}</a></li>' for s, t, _ in POSTS[:6])
    page("/", f"{ORG}: Bookkeeping Software for Small Businesses",
         f"<h1>Bookkeeping software for small businesses</h1><p>{ORG} is bookkeeping software for small businesses and their accountants. It sends invoices, runs payroll, tracks expenses and keeps your books reconciled with your bank, so tax time takes an afternoon instead of a month.</p>"
         "<h2>Everything your books need</h2><ul><li><a href=\"/products/invoicing\">Invoicing</a></li><li><a href=\"/products/payroll\">Payroll</a></li><li><a href=\"/products/expenses\">Expenses</a></li><li><a href=\"/products/tax-prep\">Tax preparation</a></li><li><a href=\"/products/bank-sync\">Bank sync</a></li><li><a href=\"/products/forecasting\">Forecasting</a></li></ul>"
         f"<h2>From the blog</h2><ul>{latest}</ul><p>More than 12,000 businesses in the UK and the US use NorthwindLedger every day.</p>",
         jsonld=[ORG_LD, {"@context": "https://schema.org", "@type": "WebSite", "name": ORG, "url": f"{BASE}/"}])
    plant("EN002", "/", "Organization sameAs names one profile (LinkedIn); at least 2 expected")
    plant("AT005", "/authors/sam-lee", "author page without job title, qualifications or expertise")
    plant("EN003", "/", "brand written as 'NorthwindLedger' on the home page and 'Northwind Inc' on the about page")

    about_org = dict(ORG_LD, logo=f"{BASE}/img/logo-old.png", name="Northwind Inc")
    page("/about", f"About us | {ORG}",
         "<h1>About Northwind Ledger</h1><p>Northwind Inc was founded in Leeds in 2016 by two accountants, Helen Marsh and Tom Adeyemi, who were tired of chasing clients for shoebox receipts. Today the company employs 85 people in Leeds and Austin and serves more than 12,000 small businesses.</p>"
         "<h2>What we do</h2><p>We build bookkeeping software that small businesses can run themselves and that their accountants trust: invoicing, payroll, expenses, bank reconciliation and tax preparation in one ledger.</p>"
         "<h2>Our team</h2><p>Our content is written by accountants and payroll specialists. Meet <a href=\"/authors/maria-okafor\">Maria Okafor</a>, <a href=\"/authors/daniel-reyes\">Daniel Reyes</a>, <a href=\"/authors/priya-natarajan\">Priya Natarajan</a> and <a href=\"/authors/sam-lee\">Sam Lee</a>.</p>",
         jsonld=[{"@context": "https://schema.org", "@type": "AboutPage", "name": "About Northwind Ledger"}, about_org])
    plant("SD007", "/", "Organization on /about disagrees with the home page on name and logo "
                       "(a site rule: reported at the site root, /about among its URLs)")

    page("/contact", f"Contact | {ORG}", "<h1>Contact us</h1><div itemscope itemtype=\"https://schema.org/Organization\"><p>Email <span itemprop=\"email\">hello@northwind.test</span> or call <span itemprop=\"telephone\">+44 113 496 0000</span>, Monday to Friday, 9am to 5pm UK time. Our office is at <span itemprop=\"address\" itemscope itemtype=\"https://schema.org/PostalAddress\"><span itemprop=\"streetAddress\">12 Wellington Street</span>, <span itemprop=\"addressLocality\">Leeds</span> <span itemprop=\"postalCode\">LS1 4DL</span></span>.</p><meta itemprop=\"name\" content=\"Northwind Ledger\">"
         f"<link itemprop=\"url\" href=\"{BASE}/\"><link itemprop=\"logo\" href=\"{BASE}/logo.png\"><link itemprop=\"sameAs\" href=\"https://www.linkedin.com/company/northwind-ledger-demo\">"
         "<meta itemprop=\"description\" content=\"Bookkeeping software for small businesses and their accountants.\"><meta itemprop=\"foundingDate\" content=\"2016\"><meta itemprop=\"legalName\" content=\"Northwind Ledger Ltd\">"
         "<div itemprop=\"contactPoint\" itemscope itemtype=\"https://schema.org/ContactPoint\"><meta itemprop=\"contactType\" content=\"customer support\"><meta itemprop=\"email\" content=\"hello@northwind.test\"></div></div>",
         jsonld=[{"@context": "https://schema.org", "@type": "ContactPage", "name": "Contact"}])

    qas = [("How much does Northwind Ledger cost?", "Plans start at $19 a month; every plan has a 30-day free trial."),
           ("Can my accountant use Northwind Ledger?", "Yes. Invite your accountant from Settings; accountant seats are free on every plan."),
           ("Does Northwind Ledger run payroll?", "Yes, payroll is included in the Growth and Firm plans for employees in the UK and the US."),
           ("Is my data secure?", "Data is encrypted in transit and at rest, and we are audited against SOC 2 every year.")]
    faq_body = "<h1>Frequently asked questions</h1>" + "".join(f"<h2>{escape(q)}</h2><p>{escape(a)}</p>" for q, a in qas)
    faq_ld = {"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
        {"@type": "Question", "name": q, **({"acceptedAnswer": {"@type": "Answer", "text": a}} if i != 3 else {})}
        for i, (q, a) in enumerate(qas)]}
    page("/faq", f"FAQ | {ORG}", faq_body, jsonld=[faq_ld])
    plant("SD003", "/faq", "FAQPage Question 'Is my data secure?' lacks acceptedAnswer")

    support = "<h1>Support</h1><p>Answers to the questions our support team hears most.</p><h2>Common questions</h2>" + "".join(
        f"<details><summary>{escape(q)}</summary><p>{escape(a)}</p></details>" for q, a in [
            ("How do I import my bank statements?", "Connect your bank under Banking, or upload a CSV or OFX file exported from your bank."),
            ("Can I change my plan later?", "Yes, you can move between plans at any time; the change applies from your next billing date."),
            ("How do I export my data?", "Go to Settings, then Export, and choose CSV or a full accountant's archive."),
            ("What happens when my trial ends?", "Your data stays; choose a plan to keep sending invoices and running payroll.")])
    page("/support/common-questions", f"Support | {ORG}", support)
    plant("QA003", "/support/common-questions", "four <details> question-and-answer pairs without FAQPage markup")

    for slug, title, text in [("privacy", "Privacy policy", "This policy explains what personal data Northwind Ledger Ltd collects, why, and how long it is kept."),
                              ("terms", "Terms of service", "These terms govern your use of Northwind Ledger. By creating an account you agree to them."),
                              ("cookies", "Cookie policy", "We use strictly necessary cookies to keep you signed in and, with your consent, analytics cookies.")]:
        page(f"/{slug}", f"{title} | {ORG}", f"<h1>{title}</h1><p>{text}</p>")
    page("/careers", f"Careers | {ORG}", "<h1>Work with us</h1><p>We are hiring accountants, engineers and support specialists in Leeds and Austin.</p>")
    page("/customers", f"Customers | {ORG}", "<h1>Our customers</h1><p>Bakeries, clinics, agencies and builders run their books on Northwind Ledger.</p>")

    # ---- listings ---------------------------------------------------------------------------
    items = [f'<article><h2><a href="/blog/{s}">{escape(t)}</a></h2></article>' for s, t, _ in POSTS]
    page("/blog/", f"Blog | {ORG}", "<h1>The Northwind blog</h1>" + "".join(items[:10]) + '<p><a href="/blog/page/2">Older posts</a></p>')
    page("/blog/page/2", f"Blog, page 2 | {ORG}", "<h1>The Northwind blog: older posts</h1>" + "".join(items[10:]))
    for topic in sorted({t for _, _, t in POSTS}):
        tagged = "".join(f'<li><a href="/blog/{s}">{escape(t)}</a></li>' for s, t, tp in POSTS if tp == topic)
        page(f"/tag/{topic}", f"Posts tagged {topic} | {ORG}", f"<h1>Posts tagged {topic}</h1><ul>{tagged}</ul>")

    # ---- site files ---------------------------------------------------------------------------
    SITEMAP.remove("/blog/cash-flow-forecasting-basics")
    urls = "".join(f"<url><loc>{BASE}{p}</loc></url>\n" for p in SITEMAP)
    (SITE / "sitemap.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n', "utf-8")
    (SITE / "robots.txt").write_text(
        "# Northwind Ledger robots.txt\nUser-agent: *\nAllow: /\n\n"
        "User-agent: GPTBot\nDisallow: /\n\n"
        "User-agent: CCBot\nDisallow: /\n\n"
        "User-agent: Claude-SearchBot\nDisallow: /blog/\n\n"
        f"Sitemap: {BASE}/sitemap.xml\n", "utf-8")
    plant("ACC001", "/robots.txt", "Claude-SearchBot disallowed from /blog/")
    plant("ACC002", "/robots.txt", "GPTBot and CCBot disallowed from the whole site")
    (SITE / "llms.txt").write_text(
        "Northwind Ledger - bookkeeping software\n\nWe make bookkeeping software. See our pricing page and blog.\n", "utf-8")
    plant("ACC003", "/llms.txt", "llms.txt does not start with an H1 and has no link list")
    plant("ACC010", "/", "the demo server answers PerplexityBot's user agent with 403 (a CDN-style block)")

    (HERE / "planted.json").write_text(json.dumps({
        "site": "Northwind Ledger demo", "base_placeholder": BASE,
        "not_planted": {"ACC006": "the site has a sitemap", "FR004": "needs a previous run; see tests"},
        "problems": PLANTED}, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    build()
    print(f"{sum(1 for _ in SITE.rglob('*.html'))} pages written to {SITE}")
