"""What the counter lets the apps above it do, without importing them (see core.hooks).

case_opened    published inside the intake's transaction when a case is recorded: case. Each subscriber
               may set attributes on the case for the decisions of the same request (evaluations makes the
               case's rating link, printed on every document, and sets case.rating_token).
stage_ended    published inside a decision's transaction when a decision ends a stage of the case
               (one-time notice, refusal, completion): case, stage (counter.states.Stage), officer.
               R7 asks for a rating after every one, so it is required: evaluations subscribes.
document_issuing  published while a document is numbered and frozen: case, kind. Each subscriber
               returns a dict merged into the frozen snapshot (evaluations: the rating link and QR text).
case_panels    published when the case page is shown: case, user. Each subscriber returns the HTML of
               a panel (evaluations: the rating invitations and how each stands).
case_locking   published when a decision reads its case under its lock (counter.services.case_lock), no
               arguments. Each subscriber returns {name: expression} (a subquery on OuterRef("pk") or
               OuterRef("window_id")), read in the same query and set on the case as attributes, so that
               what the apps above do in the decision needs no query of its own (evaluations: the case's
               rating link token and when the window's evaluator was last heard from).
"""

from core.hooks import Hook

case_opened = Hook("counter.case_opened", doc="A case was recorded (in the intake's transaction).")
stage_ended = Hook(
    "counter.stage_ended", required=True,
    doc="R7: every notice, refusal and completion asks for a rating; evaluations subscribes in its ready().",
)
document_issuing = Hook("counter.document_issuing", doc="Extra snapshot fields of an issued document.")
case_panels = Hook("counter.case_panels", doc="Panels (HTML) shown on the case page.")
case_locking = Hook("counter.case_locking", doc="Columns read with the case a decision locks.")
