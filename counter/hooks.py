"""What the counter lets the apps above it do, without importing them (see core.hooks).

stage_ended    published inside a decision's transaction when a decision ends a stage of the case
               (one-time notice, refusal, completion): case, stage (counter.states.Stage), officer.
               R7 asks for a rating after every one, so it is required: evaluations subscribes.
document_issuing  published while a document is numbered and frozen: case, kind. Each subscriber
               returns a dict merged into the frozen snapshot (evaluations: the rating link and QR text).
case_panels    published when the case page is shown: case, user. Each subscriber returns the HTML of
               a panel (evaluations: the rating invitations and how each stands).
"""

from core.hooks import Hook

stage_ended = Hook(
    "counter.stage_ended", required=True,
    doc="R7: every notice, refusal and completion asks for a rating; evaluations subscribes in its ready().",
)
document_issuing = Hook("counter.document_issuing", doc="Extra snapshot fields of an issued document.")
case_panels = Hook("counter.case_panels", doc="Panels (HTML) shown on the case page.")
