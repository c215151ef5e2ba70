"""Delivery reports as real mail servers write them, addressed to a given original message."""

POSTFIX_DSN = """\
Return-Path: <>
Received: by mx.example.org (Postfix) id 3F2A41C0040; Tue, 3 Mar 2026 10:00:02 +0000 (UTC)
Date: Tue, 3 Mar 2026 10:00:02 +0000 (UTC)
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: bounces@mail.example.com
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="3F2A41C0040.1709459999/mx.example.org"
Message-Id: <20260303100002.3F2A41C0040@mx.example.org>

This is a MIME-encapsulated message.

--3F2A41C0040.1709459999/mx.example.org
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<{recipient}>: host mx2.example.org[192.0.2.7] said: {code} {status} <{recipient}>:
    {text} (in reply to RCPT TO command)

--3F2A41C0040.1709459999/mx.example.org
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
X-Postfix-Queue-ID: 3F2A41C0040
X-Postfix-Sender: rfc822; bounces@mail.example.com
Arrival-Date: Tue,  3 Mar 2026 10:00:01 +0000 (UTC)

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Remote-MTA: dns; mx2.example.org
Diagnostic-Code: smtp; {code} {status} <{recipient}>: {text}

--3F2A41C0040.1709459999/mx.example.org
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <bounces@mail.example.com>
From: Clarion News <news@mail.example.com>
To: {recipient}
Subject: Spring news
Message-ID: {message_id}
Date: Tue, 3 Mar 2026 10:00:00 +0000

--3F2A41C0040.1709459999/mx.example.org--
"""

GMAIL_DSN = """\
Delivered-To: bounces@mail.example.com
Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: bounces@mail.example.com
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
Message-ID: <65e44a1b.050a0220.gmail.dsn.{suffix}@mx.google.com>
Date: Tue, 03 Mar 2026 02:00:11 -0800 (PST)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000abcdef0123456789"; report-type=delivery-status

--000000000000abcdef0123456789
Content-Type: multipart/related; boundary="000000000000abcdef0123456780"

--000000000000abcdef0123456780
Content-Type: multipart/alternative; boundary="000000000000abcdef0123456781"

--000000000000abcdef0123456781
Content-Type: text/plain; charset="UTF-8"


** Address not found **

Your message wasn't delivered to {recipient} because the address couldn't be found,
or is unable to receive mail.

The response from the remote server was:
550 5.1.1 The email account that you tried to reach does not exist.

--000000000000abcdef0123456781--
--000000000000abcdef0123456780--

--000000000000abcdef0123456789
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; mail.example.com
Arrival-Date: Tue, 03 Mar 2026 02:00:10 -0800 (PST)
X-Original-Message-ID: {message_id}

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.
 Please try double-checking the recipient's email address for typos or
 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser
Last-Attempt-Date: Tue, 03 Mar 2026 02:00:11 -0800 (PST)

--000000000000abcdef0123456789
Content-Type: message/rfc822

From: Clarion News <news@mail.example.com>
To: {recipient}
Subject: Spring news
Message-ID: {message_id}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hello there

--000000000000abcdef0123456789--
"""

# Exchange's non-standard notice: no delivery-status part, the reason in words.
OUTLOOK_PLAIN = """\
From: postmaster@outlook.example.com
To: bounces@mail.example.com
Subject: Undeliverable: Spring news
Message-ID: <outlook-ndr-{suffix}@outlook.example.com>
Date: Tue, 3 Mar 2026 10:05:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"

Delivery has failed to these recipients or groups:

{recipient}
The email address you entered couldn't be found. Please check the recipient's email address
and try to resend the message.

Diagnostic information for administrators:

Generating server: outlook.example.com

{recipient}
Remote Server returned '{code} {status} RESOLVER.ADR.RecipNotFound; not found'

Original message headers:

From: Clarion News <news@mail.example.com>
To: {recipient}
Subject: Spring news
Message-ID: {message_id}
"""

QMAIL_PLAIN = """\
From: MAILER-DAEMON@qmail.example.net
To: bounces@mail.example.com
Subject: failure notice
Date: 3 Mar 2026 10:06:00 -0000
Content-Type: text/plain

Hi. This is the qmail-send program at qmail.example.net.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<{recipient}>:
{code} {text}

--- Below this line is a copy of the message.

Return-Path: <bounces@mail.example.com>
From: Clarion News <news@mail.example.com>
To: {recipient}
Subject: Spring news

Read it at https://crm.example.com/t/c/{token}/0/ today.
"""

ARF = """\
From: <staff@feedback.example.net>
Date: Thu, 8 Mar 2026 14:00:00 EDT
Subject: FW: Spring news
To: <abuse@mail.example.com>
Message-ID: <arf-{suffix}@feedback.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
     boundary="part1_13d.2e68ed54_boundary"

--part1_13d.2e68ed54_boundary
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received from IP
192.0.2.1 on Thu, 8 Mar 2026 14:00:00 EDT.
For more information about this format please see
http://www.mipassoc.org/arf/.

--part1_13d.2e68ed54_boundary
Content-Type: message/feedback-report

Feedback-Type: {feedback_type}
User-Agent: SomeGenerator/1.0
Version: 1
Original-Mail-From: <bounces@mail.example.com>
Original-Rcpt-To: <{recipient}>
Arrival-Date: Thu, 8 Mar 2026 14:00:00 EDT
Reporting-MTA: dns; mail.feedback.example.net
Source-IP: 192.0.2.1
Authentication-Results: mail.feedback.example.net; spf=pass smtp.mail=bounces@mail.example.com
Reported-Domain: mail.example.com

--part1_13d.2e68ed54_boundary
Content-Type: message/rfc822
Content-Disposition: inline

From: <news@mail.example.com>
Received: from mailserver.example.net (mailserver.example.net [192.0.2.1])
        by example.com with ESMTP id M63d4137594e46; Thu, 08 Mar 2026 14:00:00 -0400
To: <{recipient}>
Subject: Spring news
MIME-Version: 1.0
Content-type: text/plain
Message-ID: {message_id}
Date: Thu, 02 Sep 2026 12:00:00 -0400

Spring is here.

--part1_13d.2e68ed54_boundary--
"""

OUT_OF_OFFICE = """\
From: Rea Der <{recipient}>
To: news@mail.example.com
Subject: Automatic reply: Spring news
Auto-Submitted: auto-replied
Message-ID: <ooo-{suffix}@example.org>
In-Reply-To: {message_id}
Content-Type: text/plain

I am out of the office until Monday.
"""

UNSUBSCRIBE_MAIL = """\
From: {recipient}
To: unsubscribe@mail.example.com
Subject: unsubscribe-{token}
Message-ID: <unsub-{suffix}@example.org>
Content-Type: text/plain

"""


def report(template: str, *, recipient="reader@example.org", message_id="<1.2.x@mail.example.com>",
           status="5.1.1", code="550", text="User unknown in virtual mailbox table",
           action="failed", token="", feedback_type="abuse", suffix="1") -> bytes:
    return template.format(recipient=recipient, message_id=message_id, status=status, code=code,
                           text=text, action=action, token=token, feedback_type=feedback_type,
                           suffix=suffix).encode()
