"""The block documents of the built-in templates (see clarion/emails/blocks.py for the schema).

The copy is written to be kept, not only replaced: each reads as a finished email for a
small software company, with tokens where a real email would personalize.
"""

FOOTER = {"type": "footer", "padding": "24px 32px",
          "note": "You are receiving this email because you subscribed to updates from us."}


def _settings(**overrides) -> dict:
    return {"background_color": "#f3f4f6", "content_background_color": "#ffffff",
            "text_color": "#1f2933", "link_color": "#2563eb", "font": "sans", "width": 600,
            "language": "en"} | overrides


def _text(html: str, **style) -> dict:
    return {"type": "text", "html": html, "padding": "12px 32px"} | style


def _button(label: str, url: str, **style) -> dict:
    return {"type": "button", "label": label, "url": url, "padding": "12px 32px 24px"} | style


def _image(alt: str, **style) -> dict:
    return {"type": "image", "src": "", "alt": alt, "padding": "0px"} | style


def _divider() -> dict:
    return {"type": "divider", "padding": "8px 32px", "color": "#e5e7eb"}


def _spacer(height: int = 16) -> dict:
    return {"type": "spacer", "height": height}


SOCIAL = {"type": "social", "padding": "8px 32px", "links": [
    {"network": "linkedin", "url": "https://www.linkedin.com/"},
    {"network": "mastodon", "url": "https://mastodon.social/"},
    {"network": "youtube", "url": "https://www.youtube.com/"}]}

NEWSLETTER = {
    "settings": _settings(),
    "blocks": [
        {"type": "header", "title": "The Monthly Brief", "padding": "28px 32px 8px",
         "background_color": "#0f172a", "text_color": "#ffffff"},
        _text("<p>Issue 12 · Ideas, product news and stories from our customers</p>",
              background_color="#0f172a", text_color="#cbd5e1", font_size=14,
              padding="0px 32px 24px", align="center"),
        _image("The lead story's illustration"),
        _text("<h1>How a six-person team answers every lead within an hour</h1>"
              "<p>Hi {{ contact.first_name|default(\"there\") }},</p>"
              "<p>When Northwind's sales team shrank to six people, they stopped chasing "
              "spreadsheets and started routing leads by territory and score. Response times "
              "fell from two days to under an hour, and their win rate followed.</p>",
              padding="24px 32px 0px"),
        _button("Read the full story", "https://example.com/blog/northwind",
                align="left"),
        _divider(),
        {"type": "columns", "padding": "8px 20px", "columns": [
            {"blocks": [
                _text("<h3>Five subject lines that get opened</h3><p>We looked at a year "
                      "of campaigns. Short, specific and a little curious wins.</p>"
                      "<p><a href=\"https://example.com/blog/subject-lines\">Read more "
                      "→</a></p>", padding="8px 12px", font_size=15)]},
            {"blocks": [
                _text("<h3>Segments that update themselves</h3><p>Build a segment once "
                      "and let new contacts flow in as their behaviour changes.</p>"
                      "<p><a href=\"https://example.com/blog/segments\">Read more →</a>"
                      "</p>", padding="8px 12px", font_size=15)]},
        ]},
        _divider(),
        _text("<h2>In brief</h2><ul><li><strong>Time-zone sending</strong> delivers "
              "campaigns at 9 a.m. wherever your readers are.</li><li><strong>New "
              "templates</strong> for events and webinars are in the library.</li>"
              "<li><strong>Faster imports</strong>: a hundred thousand rows in seconds."
              "</li></ul>"),
        _text("<p><strong>Join us live</strong> on the 14th for a 30-minute tour of what "
              "shipped this month. Bring your questions.</p>",
              background_color="#eff6ff", padding="20px 32px"),
        _spacer(8),
        SOCIAL,
        FOOTER,
    ],
}

ANNOUNCEMENT = {
    "settings": _settings(background_color="#eef2ff", link_color="#4f46e5"),
    "blocks": [
        {"type": "header", "title": "Something new is here", "padding": "36px 32px 8px",
         "text_color": "#312e81"},
        _text("<p>The feature you asked for most is ready today, for every plan.</p>",
              align="center", text_color="#4b5563", padding="0px 48px 16px", font_size=18),
        _button("See what's new", "https://example.com/whats-new",
                button_color="#4f46e5", padding="8px 32px 28px"),
        _image("A screenshot of the new feature"),
        _text("<h2>Why we built it</h2><p>{{ contact.first_name|default(\"Many of you\") "
              "}}, you told us that planning a campaign took longer than writing it. Now "
              "you can plan, write and schedule in one place, and see the results the "
              "moment they arrive.</p>", padding="28px 32px 8px"),
        {"type": "columns", "padding": "0px 20px 8px", "columns": [
            {"blocks": [_text("<h4>Plan</h4><p>Drag campaigns onto a calendar and see "
                              "the month at a glance.</p>", padding="8px 12px",
                              font_size=15)]},
            {"blocks": [_text("<h4>Write</h4><p>Start from a template and preview as "
                              "any contact before you send.</p>", padding="8px 12px",
                              font_size=15)]},
            {"blocks": [_text("<h4>Measure</h4><p>Opens, clicks and revenue per "
                              "campaign, without the guesswork.</p>", padding="8px 12px",
                              font_size=15)]},
        ]},
        _button("Try it now", "https://example.com/app", button_color="#4f46e5"),
        _divider(),
        _text("<p>Questions? Reply to this email: it reaches a person, not a queue.</p>",
              font_size=14, text_color="#4b5563"),
        FOOTER,
    ],
}

EVENT_INVITE = {
    "settings": _settings(background_color="#fdf6ec", link_color="#b45309", font="serif"),
    "blocks": [
        _image("The venue"),
        {"type": "header", "title": "An afternoon with our team", "padding": "32px 32px 4px",
         "text_color": "#78350f"},
        _text("<p><strong>Thursday 12 March · 14:00–18:00</strong><br>The Assembly Rooms, "
              "54 George Street</p>", align="center", padding="0px 32px 16px"),
        _text("<p>Dear {{ contact.first_name|default(\"friend\") }},</p><p>We would love "
              "to see you at our spring meet-up: an afternoon of short talks, a hands-on "
              "workshop and time to meet the people who build the product you use.</p>"),
        _text("<h3>Agenda</h3><ul><li><strong>14:00</strong> Welcome and coffee</li>"
              "<li><strong>14:30</strong> What's next on the roadmap</li><li><strong>15:30"
              "</strong> Workshop: automations that save an hour a day</li><li><strong>17:00"
              "</strong> Drinks on the terrace</li></ul>",
              background_color="#fffbeb", padding="20px 32px"),
        _button("Save my seat", "https://example.com/events/spring-meetup",
                button_color="#b45309"),
        _text("<p>Seats are limited to 60 guests. If you can't make it, forward this "
              "invitation to a colleague who would enjoy it.</p>", font_size=14,
              text_color="#57534e"),
        _divider(),
        FOOTER,
    ],
}

WELCOME = {
    "settings": _settings(background_color="#ecfdf5", link_color="#047857"),
    "blocks": [
        {"type": "header", "title": "Welcome aboard", "padding": "36px 32px 8px",
         "text_color": "#064e3b"},
        _text("<p>Hi {{ contact.first_name|default(\"there\") }}, we're glad you're here."
              "</p>", align="center", font_size=18, padding="0px 32px 20px"),
        _image("Our team says hello"),
        _text("<p>Every other week you'll get one email from us: practical ideas, product "
              "news worth knowing and nothing you'll want to skip. Here are three ways to "
              "get started today.</p>", padding="24px 32px 8px"),
        _text("<p><strong>1. Import your contacts.</strong> Bring a spreadsheet and we'll "
              "match the columns for you.</p><p><strong>2. Build your first segment."
              "</strong> Group people by what they do, not only by who they are.</p><p>"
              "<strong>3. Send a welcome email of your own.</strong> Yes, like this one."
              "</p>", background_color="#f0fdf4", padding="20px 32px"),
        _button("Open my account", "https://example.com/app", button_color="#047857",
                padding="24px 32px"),
        _text("<p>If you ever need a hand, reply to this email. "
              "{{ owner.first_name|default(\"Someone from our team\") }} will answer.</p>",
              font_size=15),
        FOOTER,
    ],
}

NURTURE = {
    "settings": _settings(link_color="#0f766e"),
    "blocks": [
        {"type": "header", "title": "Five ways to shorten your sales cycle",
         "padding": "32px 32px 12px", "align": "left", "text_color": "#134e4a"},
        _text("<p>Hi {{ contact.first_name|default(\"there\") }},</p><p>Teams like "
              "{{ company.name|default(\"yours\") }} often tell us deals stall in the same "
              "places. Here is what works for the teams that close fastest.</p>"),
        _text("<ol><li><strong>Answer within the hour.</strong> The odds of qualifying a "
              "lead drop sharply after the first sixty minutes.</li><li><strong>Score on "
              "fit and behaviour.</strong> A perfect-fit company that never opens an email "
              "is not ready yet.</li><li><strong>Write down the next step.</strong> Every "
              "deal gets a date and an owner.</li><li><strong>Share the calendar.</strong> "
              "Let buyers book time without a round of emails.</li><li><strong>Review "
              "lost deals monthly.</strong> Patterns appear faster than you think.</li></ol>"
              ),
        _text("<p>We collected these and twenty more in a short guide, with the templates "
              "we use ourselves.</p>"),
        _button("Download the guide", "https://example.com/guides/sales-cycle",
                button_color="#0f766e", align="left"),
        _divider(),
        _text("<p>Would it help to talk it through? "
              "{{ owner.name|default(\"Our team\") }} can walk you through how other "
              "teams set this up, in twenty minutes.</p>"
              "<p><a href=\"https://example.com/book\">Book a call</a></p>", font_size=15),
        FOOTER,
    ],
}

RE_ENGAGEMENT = {
    "settings": _settings(background_color="#fef2f2", link_color="#be123c"),
    "blocks": [
        {"type": "header", "title": "Still with us?", "padding": "40px 32px 8px",
         "text_color": "#881337"},
        _text("<p>Hi {{ contact.first_name|default(\"there\") }}, it's been a while since "
              "you opened one of our emails, and that's fine. Inboxes are busy.</p>",
              align="center", padding="0px 40px 20px"),
        _text("<h3>Here's what you missed</h3><ul><li>Campaigns that send at each "
              "reader's local time</li><li>A template library with eight new designs</li>"
              "<li>Reports that show which links people actually click</li></ul>",
              background_color="#fff1f2", padding="20px 32px"),
        _button("Yes, keep me subscribed", "https://example.com/stay",
                button_color="#be123c", padding="28px 32px 8px"),
        _text("<p>Prefer fewer emails? Choose what you receive from the preferences link "
              "below. And if you'd rather not hear from us at all, unsubscribing is one "
              "click. No hard feelings.</p>", align="center", font_size=14,
              text_color="#4b5563", padding="8px 40px 16px"),
        FOOTER,
    ],
}

WEBINAR = {
    "settings": _settings(background_color="#0b1120", content_background_color="#ffffff",
                          link_color="#7c3aed"),
    "blocks": [
        _text("<p>LIVE WEBINAR · TUESDAY 24 MARCH · 16:00 UTC</p>", align="center",
              font_size=13, background_color="#7c3aed", text_color="#ffffff",
              padding="14px 32px"),
        {"type": "header", "title": "Building a pipeline that forecasts itself",
         "padding": "32px 32px 8px", "text_color": "#1e1b4b"},
        _text("<p>45 minutes, live questions, and the recording for everyone who "
              "registers.</p>", align="center", text_color="#4b5563",
              padding="0px 40px 16px"),
        _button("Register for free", "https://example.com/webinars/pipeline",
                button_color="#7c3aed", padding="8px 32px 28px"),
        _divider(),
        _text("<h3>You'll learn how to</h3><ul><li>set stage probabilities from your own "
              "history, not guesses</li><li>spot deals that have stalled before your "
              "forecast does</li><li>build a weekly pipeline review your team looks forward "
              "to</li></ul>"),
        {"type": "columns", "padding": "8px 20px 16px", "columns": [
            {"blocks": [_image("Portrait of Maya Chen", padding="8px 12px", width=120),
                        _text("<p><strong>Maya Chen</strong><br>Head of Revenue "
                              "Operations</p>", align="center", font_size=14,
                              padding="4px 12px")]},
            {"blocks": [_image("Portrait of Tom Okafor", padding="8px 12px", width=120),
                        _text("<p><strong>Tom Okafor</strong><br>Sales Director</p>",
                              align="center", font_size=14, padding="4px 12px")]},
        ]},
        _text("<p>Can't attend live, {{ contact.first_name|default(\"friend\") }}? Register "
              "anyway and we'll send you the recording the next morning.</p>",
              font_size=15, text_color="#4b5563"),
        FOOTER,
    ],
}

PLAIN_LETTER = {
    "settings": _settings(background_color="#ffffff", content_background_color="#ffffff",
                          font="serif", width=560),
    "blocks": [
        _text("<p>Hi {{ contact.first_name|default(\"there\") }},</p>"
              "<p>I wanted to write to you personally rather than send another newsletter."
              "</p><p>Over the past months we've been talking with teams like "
              "{{ company.name|default(\"yours\") }} about what gets in the way of their "
              "week. The answers were surprisingly similar, and they've shaped what we're "
              "working on next.</p><p>If you have ten minutes, I'd love to hear what would "
              "make the biggest difference for you. Just reply to this email; I read every "
              "answer myself.</p><p>Thank you for being with us,</p>"
              "<p>{{ owner.name|default(\"The team\") }}</p>",
              padding="32px 32px 8px", font_size=17),
        {"type": "footer", "padding": "24px 32px", "align": "left", "show_preferences": False},
    ],
}
