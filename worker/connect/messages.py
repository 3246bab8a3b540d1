"""Every page text the web process shows outside `templates/`: headings, messages and button labels, in one
place for a translation to read. Route modules name these; they hold no text of their own.

Each text is marked `N_` (a catalog key): the page that shows it translates it (`worker.connect.i18n`)."""

from __future__ import annotations

from worker.connect.flow import Problem
from worker.connect.i18n import N_, t
from worker.connect.links import LinkProblem
from worker.store.links import LinkKind

Text = tuple[str, str]  # (heading, message)

UNAVAILABLE: Text = (N_("Please try again in a few minutes"), N_("A service we rely on did not answer."))
CROSS_SITE: Text = (N_("This form came from another site"), N_("Open the page again here and press its button."))
NO_SESSION: Text = (
    N_("Open your connect link to see this page"),
    N_("This page shows a Mercado Libre account to the browser that connected it, for 12 hours. To see it "
       "again, ask the business that sent you the connect link for an owner link: it opens your accounts in "
       "this browser."),
)  # fmt: skip
ACCOUNT_NOT_FOUND: Text = (N_("Account not found"), N_("There is no such Mercado Libre account for your business."))
EXPIRED = N_("This form has expired")
EXPIRED_DISCONNECT: Text = (EXPIRED, N_("Reload the account page and press Disconnect again."))
EXPIRED_START: Text = (EXPIRED, N_("Open your connect link again and press Connect Mercado Libre."))
EXPIRED_CONFIRM: Text = (EXPIRED, N_("Open your connect link again to connect your account."))
EXPIRED_OWNER: Text = (EXPIRED, N_("Open the owner link again and press its button."))
CHOOSE_SITE: Text = (N_("Choose your Mercado Libre country"), N_("Go back and pick a country from the list."))
TOO_MANY_STARTS: Text = (N_("Too many sign-ins were started"), N_("Please wait a little and try again."))
NOTHING_CONNECTED = N_("Nothing was connected")
CANCELLED: Text = (NOTHING_CONNECTED, N_("The seller account was not connected. You can close this page."))

# The application that receives the seller's data (the name sellers see on these pages).
APP_NAME = "meli-events"

TRY_AGAIN = N_("Try again")
CONFIRM_DISCONNECT = N_("Yes, disconnect")
KEEP_CONNECTED = N_("Keep it connected")
CONNECT = N_("Connect")
CANCEL = N_("Cancel")
DISCONNECT = N_("Disconnect")
RECONNECT = N_("Reconnect Mercado Libre")
OPEN_ACCOUNTS = N_("Open the accounts")

NOT_CONFIRMED = N_("Mercado Libre did not confirm the sign-in")
# Problem -> (HTTP status, heading, message, offer a retry button)
SIGN_IN_FAILURES: dict[Problem, tuple[int, str, str, bool]] = {
    Problem.BAD_STATE: (400, N_("This sign-in is no longer valid"), N_("It was already used, took more than 10 "
                        "minutes, or was not started here. Open your connect link again."), False),
    Problem.SPENT_STATE: (404, N_("This sign-in is no longer valid"), N_("It was already used, took more than 10 "
                          "minutes, or was not started here. Open your connect link again."), False),
    Problem.DENIED: (200, NOTHING_CONNECTED, N_("You did not allow access on Mercado Libre. If that was a "
                     "mistake, try again."), True),
    Problem.CODE_REJECTED: (400, NOT_CONFIRMED, N_("The sign-in answer was already used or has expired. Nothing "
                            "was connected."), True),
    Problem.WRONG_USER: (400, NOT_CONFIRMED, N_("The answer did not match the signed-in seller. Nothing was "
                         "connected."), True),
    Problem.SELLER_TAKEN: (409, N_("This seller is connected to another business"), N_("A Mercado Libre seller "
                           "account works with one business only, so nothing was changed. Disconnect it there "
                           "first, or sign in with another seller account."), True),
    Problem.ML_UNAVAILABLE: (502, N_("Mercado Libre did not answer"), N_("Nothing was connected. Please try again "
                             "in a minute."), True),
    Problem.LINK_SPENT: (410, N_("This connect link was already used"), N_("A connect link connects one seller "
                         "account, or the business withdrew it. Nothing was connected. Ask for a new link."), False),
}  # fmt: skip


def _link_pages(kind: LinkKind, connect_hours: int) -> dict[LinkProblem, tuple[int, str, str]]:
    if kind is LinkKind.CONNECT:
        headings = (
            t("This connect link is not valid"),
            t("This connect link has expired"),
            t("This connect link was already used"),
            t("This connect link was withdrawn"),
        )
        lifetime = t(
            "Connect links work for {hours} hours. Ask the business that sent it to you for a new one."
        ).format(hours=connect_hours)
    else:
        headings = (
            t("This owner link is not valid"),
            t("This owner link has expired"),
            t("This owner link was already used"),
            t("This owner link was withdrawn"),
        )
        lifetime = t("Owner links work for a few minutes. Make a new one.")
    return {
        LinkProblem.INVALID: (400, headings[0], t("The link is incomplete or was changed. Copy the whole link "
                              "again, or ask for a new one.")),
        LinkProblem.UNKNOWN: (404, headings[0], t("The link is incomplete or was changed. Copy the whole link "
                              "again, or ask for a new one.")),
        LinkProblem.EXPIRED: (410, headings[1], lifetime),
        LinkProblem.USED: (410, headings[2], t("A link works once. Ask the business that sent it to you for a new "
                           "one.")),
        LinkProblem.REVOKED: (410, headings[3], t("The business withdrew it. Ask them for a new one.")),
    }  # fmt: skip


def link_problem(problem: LinkProblem, kind: LinkKind, connect_hours: int) -> tuple[int, str, str]:
    """(HTTP status, heading, message) of a link that cannot be used, in the request's language."""
    return _link_pages(kind, connect_hours)[problem]
