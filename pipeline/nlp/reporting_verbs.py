"""The lexicons of reporting verbs, as lemmas.

Data only, below both their readers: the quote stage's cue finder (`pipeline.quotes.cues`) and
the headline parse, which reads a reporting verb's present tense as the past it stands for
(`pipeline.nlp.headlines`).
"""

from __future__ import annotations

# Verbs of saying: their complement clause is a quote (direct, mixed or indirect). The class is
# the one the evaluation's gold reads as reporting (`pipeline.evaluation.polnear.SPEECH_VERBS`)
# less the verbs whose first sense is not saying (guarantee, marvel, tease, answer, invite, object,
# address, ...): the manner-of-speaking verbs (mutter, sneer, chant) report like `say`.
SPEECH_VERBS = frozenset(
    """
say tell add warn confirm deny write argue claim insist note state announce explain report
acknowledge admit allege assert boast brag caution comment complain concede contend counter
declare disclose emphasize emphasise exclaim indicate inform lament maintain mention
observe predict proclaim promise pledge quip joke recall reiterate remark repeat reply respond
retort reveal scoff shout stress suggest swear testify tweet vow whisper yell ask concur
affirm reaffirm attest clarify elaborate forecast hint imply insinuate opine recount speculate
underscore summarize summarise mutter scream snap sneer fume gush rant taunt interject blog
retweet lecture chant
""".split()
)

# Reporting verbs whose report can be a noun phrase or an infinitive rather than a clause
# (`called for a repeal`, `urged voters to stay home`, `cited the figures`); among them the verbs
# of saying whose direct object is the matter said, never the one spoken to (`stressed the need
# for talks`, `recalled the night of the fire`, `explained his vote`).
OBJECT_REPORT_VERBS = frozenset(
    """
call cite criticize criticise urge blast slam accuse praise warn acknowledge describe discuss
question demand propose reject deny announce promise pledge vow mention condemn denounce dismiss
blame thank challenge dispute tout refuse decline respond ask charge complain report reveal
disclose recommend request note talk speak point mock threaten quote suggest predict claim admit
concede reiterate repeat confirm reply tweet write decry hail applaud protest implore plead beg
instruct advise lament assure reassure rebut refute
recall recount stress emphasize emphasise underscore explain allege declare proclaim reaffirm affirm
clarify summarize summarise
""".split()
)

# Verbs of asking: a clause opened by "if"/"whether" after them is the question asked, and
# whoever replies next is the one asked.
ASKING_VERBS = frozenset({"ask", "question"})
