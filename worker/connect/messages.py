"""Every page text the web process shows outside `templates/`: headings, messages and button labels, in one
place for a translation to read. Route modules name these; they hold no text of their own."""

from __future__ import annotations

from worker.connect.flow import Problem
from worker.connect.links import LinkProblem
from worker.store.links import LinkKind

Text = tuple[str, str]  # (heading, message)

UNAVAILABLE: Text = ("Please try again in a few minutes", "A service we rely on did not answer.")
CROSS_SITE: Text = ("This form came from another site", "Open the page again here and press its button.")
NO_SESSION: Text = (
    "Open your connect link to see this page",
    "This page shows a connected Mercado Libre account to the browser that connected it. Open the connect link "
    "you received again, or ask for a new one.",
)
ACCOUNT_NOT_FOUND: Text = ("Account not found", "There is no such Mercado Libre account for your business.")
EXPIRED_DISCONNECT: Text = ("This form has expired", "Reload the account page and press Disconnect again.")
EXPIRED_START: Text = ("This form has expired", "Open your connect link again and press Connect Mercado Libre.")
EXPIRED_CONFIRM: Text = ("This form has expired", "Open your connect link again to connect your account.")
EXPIRED_OWNER: Text = ("This form has expired", "Open the owner link again and press its button.")
CHOOSE_SITE: Text = ("Choose your Mercado Libre country", "Go back and pick a country from the list.")
TOO_MANY_STARTS: Text = ("Too many sign-ins were started", "Please wait a little and try again.")
CANCELLED: Text = ("Nothing was connected", "The seller account was not connected. You can close this page.")

# The application that receives the seller's data (the name sellers see on these pages).
APP_NAME = "meli-events"
LANDING: Text = (
    "meli-events",
    "This service connects Mercado Libre seller accounts to the businesses that keep their buyers informed "
    "about their orders.",
)
LANDING_SELLER = "Selling on Mercado Libre? Open the connect link the business sent you to connect your account."
LANDING_DEVELOPER = "Building on it? The business API is described at"

TRY_AGAIN = "Try again"
CONFIRM_DISCONNECT = "Yes, disconnect"
KEEP_CONNECTED = "Keep it connected"
CONNECT = "Connect"
CANCEL = "Cancel"
DISCONNECT = "Disconnect"
RECONNECT = "Reconnect Mercado Libre"
OPEN_ACCOUNTS = "Open the accounts"

# Problem -> (HTTP status, heading, message, offer a retry button)
SIGN_IN_FAILURES: dict[Problem, tuple[int, str, str, bool]] = {
    Problem.BAD_STATE: (400, "This sign-in is no longer valid", "It was already used, took more than 10 "
                        "minutes, or was not started here. Open your connect link again.", False),
    Problem.DENIED: (200, "Nothing was connected", "You did not allow access on Mercado Libre. If that was a "
                     "mistake, try again.", True),
    Problem.CODE_REJECTED: (400, "Mercado Libre did not confirm the sign-in", "The sign-in answer was already "
                            "used or has expired. Nothing was connected.", True),
    Problem.WRONG_USER: (400, "Mercado Libre did not confirm the sign-in", "The answer did not match the "
                         "signed-in seller. Nothing was connected.", True),
    Problem.SELLER_TAKEN: (409, "This seller is connected to another business", "A Mercado Libre seller "
                           "account works with one business only, so nothing was changed. Disconnect it there "
                           "first, or sign in with another seller account.", True),
    Problem.ML_UNAVAILABLE: (502, "Mercado Libre did not answer", "Nothing was connected. Please try again in "
                             "a minute.", True),
    Problem.LINK_SPENT: (410, "This connect link was already used", "A connect link connects one seller account, "
                         "or the business withdrew it. Nothing was connected. Ask for a new link.", False),
}  # fmt: skip


def link_problem(problem: LinkProblem, kind: LinkKind, connect_hours: int) -> tuple[int, str, str]:
    """(HTTP status, heading, message) of a link that cannot be used."""
    name = "connect link" if kind is LinkKind.CONNECT else "owner link"
    lifetime = (
        f"Connect links work for {connect_hours} hours. Ask the business that sent it to you for a new one."
        if kind is LinkKind.CONNECT
        else "Owner links work for a few minutes. Make a new one."
    )
    pages = {
        LinkProblem.INVALID: (400, f"This {name} is not valid", "The link is incomplete or was changed. Copy the "
                              "whole link again, or ask for a new one."),
        LinkProblem.EXPIRED: (410, f"This {name} has expired", lifetime),
        LinkProblem.USED: (410, f"This {name} was already used", "A link works once. Ask the business that sent "
                           "it to you for a new one."),
        LinkProblem.REVOKED: (410, f"This {name} was withdrawn", "The business withdrew it. Ask them for a new "
                              "one."),
    }  # fmt: skip
    return pages[problem]
