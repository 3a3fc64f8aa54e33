"""Whether a survey comment suggests its writer may be at risk: the phrase set and its matcher.

A match makes Cwtch show crisis signposting to the writer and alert facilitators without naming anyone, so the
set errs towards signposting: a false positive costs a kind message, a miss could leave someone without help.
The kinds of phrasing follow UK suicide-prevention and safeguarding guidance (Samaritans, NHS): wanting to
disappear or not wake up, no point, better off without me, a burden, can't go on or cope, breaking point,
hopelessness with exhaustion, self-harm, plans, not feeling safe, abuse at home, crying before or after shifts.
Negation is not understood ("I'm not suicidal" is flagged) and neither is who is meant (someone else crying).

Decided benign, because they are everyday idioms about workload and nothing in them is about the writer's
safety: "this rota is killing me", "killing it", "dying to know", "dying for a brew", "I could murder a cup of
tea", "dead on my feet", "drowning in paperwork", "I'm hopeless at spreadsheets" (no phrase matches them), and
"killing myself laughing", "crying with laughter", "cut myself some slack" (taken out before matching).
Decided to flag, because they are ambiguous and a miss is worse: "I can't cope with the new system", "I wanted
to die of embarrassment", "I just want to disappear to Cornwall", a comment that names suicide as a topic.

Welsh comments are read the same way (:data:`WELSH_RISK_PHRASES`): natural spoken and written Welsh, north and
south ("isio", "moyn", "ffili"), with the mutations a word takes after another ("lladd fy hun", "i ladd fy hun";
"teimlo'n ddiwerth"). Doubled letters count once, so "ll"/"l", "dd"/"d" and "ff"/"f" match each other, and accents
are dropped ("gŵr", "ymlâdd"). Decided benign: "lladd fy hun yn chwerthin", "marw chwerthin", "crio chwerthin",
"dagrau o lawenydd"; "bron â marw isio paned" matches nothing. Decided to flag: "methu ymdopi â'r system newydd",
"dim pwynt byw", "does dim pwynt." on its own, "eisiau diflannu".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# The phrase language. Phrases are written in the normalized form of _normalize: lower case, no apostrophes,
# "can't" as "cannot", "don't" as "do not", "I'm" as "i am", "no one" as "nobody", "any more" as "anymore".
#   words    separated by spaces are consecutive whole words;
#   a|b      either word in this place;   no_hope   a two-word choice ("no hope");
#   kill*    any word starting "kill";    own?      an optional place;
#   .        the end of a sentence, clause or comment;
#   ~        up to three other words of the same sentence in between;
#   A + B    both A and B somewhere in the comment.
# Letters repeated in a row count once on both sides ("soooo", "caaan't", "dissapear"), so spelling by
# doubled letters does not matter. Review this list with the facilitators; keep risky.txt in step.
RISK_PHRASES: tuple[str, ...] = (
    # suicide named, killing or ending oneself
    "suicid*|sucid*|suisid*|suicd*|suiced*",
    "kill*|top|topping|unalive* myself",
    "unalive*",
    "end|ends|ending|ended|take|taking|took my own? life",
    "end|ending|ended|finish|finishing it all",
    "think*|thought|plan*|want*|tempted|consider*|ready|close|wish|about|going ~ end|ending it|things|everything",
    "want*|wish*|hope|hopes|hoped|hoping|ready|rather|deserv* ~ die",
    "feel*|felt like dying",
    "want* to be dead",
    "wish* i|id ~ dead",
    "rather|better_off|as_well be? dead",
    "thoughts about|of ~ dying|death|suicide|ending|killing|harming|hurting",
    # plans and goodbyes
    "plan*|thought|thinking|think|googl*|research*|looked|looking ~ how|ways|methods ~ die|id_do_it|i_would_do_it"
    "|i_could_do_it|to_end_it|overdose|paracetamol|pills|tablets",
    "goodbye note|notes|letter|letters|message|messages",
    "affairs in order",
    "give|giving|gave|given away ~ things|stuff|belongings|possessions",
    "give|giving|gave|given ~ things|stuff|belongings|possessions away",
    # wanting to disappear, vanish, not wake up, not be here
    "want* to ~ disappear*|vanish*|fade_away|stop_existing|not_exist|cease_to_exist|evaporate",
    "i|id|me|myself ~ disappear*|vanish*|fade_away|stop_existing|cease_to_exist",
    "run away and never|not come|return",
    "run|running away from ~ everything|it_all|life",
    "sleep|sleeping|slept and? never|not wake|woke",
    "sleep|sleeping forever|for_good",
    "hope|hopes|hoped|hoping|wish*|rather|pray* ~ not|never wake|waking|woke|woken",
    "not want* to wake|be_woken",
    "if i ~ not|never wake|woke",
    "never wake|woke up again",
    "not|longer ~ want* to be? here|alive|exist|live|living|around",
    "wish* i|id ~ not|never ~ born|exist*|here|alive|around|woken|wake|woke",
    "want* it|everything|this all? to just? stop|end|be_over|go_away",
    # no point, nothing to live for
    "no point ~ living|existing|life|anymore|anything|me_being|in_me|going_on|carrying_on|trying|being_here"
    "|any_of_it|it_all|.",
    "what is ~ the? point ~ anymore|anything|life|living|me|going_on|carrying_on|trying|existing|being_here"
    "|it_all|any_of_it|getting_up|.",
    "is there any|even|a point ~ anymore|living|anything|me|going_on|life|.",
    "cannot|not|never|struggl* ~ see ~ point ~ living|anything|going_on|in_me|existing|anymore|.",
    "life|everything|existence ~ pointless|meaningless|hopeless|not_worth_it|unbearable",
    "nothing|nobody to live for",
    "no reason to live|go_on|carry_on|keep_going",
    "not worth living|being_alive|going_on",
    "hate myself|my_life|being_alive|being_me",
    "give|giving|gave|given up on ~ life|living|myself|everything|me",
    "want*|ready|going to give up .",
    # better off without me, a burden, nobody would notice
    "better off? without me",
    "better off ~ not_being_here|not_being_around|not_existing|not_alive",
    "better off if i|id ~ gone|dead|died|disappeared|not_here|not_around|left|went|did_not_exist",
    "everyone|everybody|they|family|kids|children|team ~ better off .",
    "am|feel*|felt|being|been|become|becoming ~ burden",
    "i ~ a burden",
    "nobody|anyone|anybody ~ notice*|care|cares|cared|caring|miss|misses|missed ~ if_i|if_id|me|gone|dead",
    "nobody|anyone|anybody ~ notice*|miss|misses|missed ~ .",
    "if i was|were|am gone|dead|not_here|not_around|to_die|to_disappear",
    "if i died|disappeared|vanished",
    # cannot go on, cope, take it; breaking point, falling apart, had enough
    "cannot go on .|like|anymore|any|living|much|longer",
    "cannot go on ~ like_this|anymore|much_longer",
    "cannot|not|unable|struggl*|barely|hardly ~ cope|coping",
    "cannot take|do|handle|face|bear|stand|manage ~ anymore|more|longer|another_day|another_shift|tomorrow|it_all"
    "|this_anymore",
    "cannot do|take|handle|cope_with this|it .",
    "cannot carry_on|keep_going|keep_doing_this|continue ~ anymore|like_this|longer|much_longer|.",
    "how much longer i|can ~ go_on|carry_on|keep_going|cope|do_this|take|last",
    "i|me|my|am|feel* ~ breaking point",
    "i|me|my|myself|am|life|everything|mentally ~ falling|fallen|fall|falls apart|to_pieces|to_bits",
    "had enough ~ everything|life|living|it_all|.",
    "tired|sick|weary of fighting|struggling .|anymore|every_day",
    "tired|sick|weary|done ~ of|with ~ everything|life|living|it_all|existing|being_alive|being_here",
    "end of my tether|rope",
    "all|everything|it_all ~ too_much|too_hard",
    "life ~ too_hard|too_much|a_struggle",
    "am so|just|completely|totally? done .",
    "no way out|forward",
    "cannot|not|never|struggl* ~ see ~ way_out|way_through|way_forward|future|end|light|any_hope|a_way",
    "not think i|id can|could|will ~ keep_doing_this|keep_going|carry_on|go_on|do_this|cope|last|take_much_more",
    "am ~ not ok|okay|alright",
    "feel*|am ~ drowning .|and|but|inside",
    "nobody|anyone|anybody|nowhere to turn",
    "feel* ~ not here anymore",
    "no light at the end",
    "no hope|future ~ left|anymore|for_me|.",
    "nothing left ~ give|for_me|.",
    "nervous|mental|emotional|verge|brink|close|edge|having|had|heading|towards|near ~ breakdown",
    "am|i|me ~ in crisis",
    "samaritans",
    # how it feels: hopeless, worthless, numb, dark
    "feel*|felt ~ hopeless*|worthless|trapped|numb|empty|dead_inside|in_danger|unsafe|threatened",
    "i|am|me|myself ~ worthless|dead_inside|in_danger",
    "empty|dead inside",
    "dark place|places|thoughts",
    "intrusive|bad|scary|horrible|awful thoughts",
    "beyond exhausted|tired|broken|knackered|shattered|drained|burnt_out|burned_out|help|repair|caring",
    "exhausted|tired|knackered|drained|shattered beyond ~ belief|words|anything|measure|repair",
    # exhaustion with hopelessness, anywhere in the comment
    "burnout|burnt|burned|exhausted|knackered|shattered|drained|frazzled|depleted|broken|running_on_empty|worn_out"
    " + hopeless*|helpless*|pointless|trapped|numb|empty|worthless|no_hope|no_way_out|no_end|nothing_left|give_up"
    "|giving_up|cannot_see|no_future|what_is_the_point",
    # crying before, after or during shifts, in the car, in the toilets, all the time
    "cry|cries|cried|crying|sob|sobs|sobbed|sobbing|weep|weeping|wept|bawl*|tears|tearful|teary ~ car|toilet"
    "|toilets|loo|loos|bathroom|bathrooms|lavatory|staffroom|office|shift|shifts|work|visit|visits|handover"
    "|handovers|rota|on_call|supervision|before|after|again|home|every_day|every_night|every_morning|all_the_time"
    "|myself_to_sleep|constantly|daily|most_days|for_no_reason",
    "car|toilet|toilets|loo|loos|bathroom|shift|shifts|work|visits ~ cry|cries|cried|crying|sob|sobs|sobbed"
    "|sobbing|tears",
    "burst* into tears",
    "cannot stop ~ crying|sobbing|shaking",
    # hurting or harming oneself
    "self harm*|injur*",
    "selfharm*",
    "harm*|hurt*|cut*|hang*|drown*|starv*|poison*|stab*|shoot*|strangl*|suffocat*|scratch* myself",
    "punch* ~ wall|walls",
    "do|doing something|anything ~ stupid|drastic|daft|silly|to_myself",
    "overdos*",
    "too many pills|tablets",
    "stockpil* ~ pills|tablets|meds|medication|paracetamol",
    "take|taking|took|swallow*|down* all|the_whole|a_whole|every ~ pills|tablets|meds|medication|packet|bottle|box",
    "noose",
    "jump* off|from|in_front_of ~ bridge|roof|cliff|building|tower|car_park|multi|balcony|train|motorway|platform",
    "in front of a|the train|lorry|bus|traffic|truck",
    "walk*|step*|jump*|throw* ~ into ~ traffic|road|river|sea|canal|lake|motorway",
    "drive|driving|drove|steer*|swerv*|crash* ~ into|off ~ traffic|road|river|sea|lorry|truck|bus|wall|tree"
    "|bridge|oncoming|back|canal|cliff",
    "hope|hopes|hoped|hoping|wish*|pray* ~ i|id|me ~ crash*|accident|hit_by|run_over|knocked_down",
    "drink*|drank|alcohol|pills|drugs ~ to|just_to|so_i_can ~ cope|numb|forget|blot|sleep|get_through|stop_thinking",
    "drinking ~ every_night|most_nights|a_bottle|more_and_more",
    # not safe
    "am not safe",
    "am unsafe",
    "not feel* very|at_all|completely|particularly? safe",
    "not safe|unsafe ~ at_home|alone|myself|with_him|with_her|with_my|on_my_own|by_myself|around_myself|tonight",
    "not trust myself ~ alone|around|near|anymore|on_my_own|tonight|driving|.",
    "scared|afraid|frightened|terrified ~ of|for ~ him|partner|husband|wife|boyfriend|girlfriend|ex|life|safety"
    "|thoughts|myself",
    "scared|afraid|frightened|terrified to|of go|going home",
    "unsafe at home",
    # abuse at home
    "domestic abuse|violence",
    "abusive partner|husband|wife|boyfriend|girlfriend|relationship|marriage",
    "being|been abused|assaulted|beaten|harmed|raped",
    "he|she|partner|husband|wife|boyfriend|girlfriend|ex hits|hit|beats|beat|hurts|hurt|chokes|strangles|threatens me",
    "partner|husband|wife|boyfriend|girlfriend|ex ~ controlling|coercive|violent|abusive",
    "coercive control*",
    "rape|raped|rapist",
    "sexual* assault*|abus*",
)

# The same kinds of phrasing in Welsh, in the same phrase language. Written without apostrophes as the normalized
# text has them ("dw i'n" is "dw in", "teimlo'n" is "teimlon", "yw'r" is "ywr") and without accents ("gwr" for
# "gŵr"); a word's mutated forms are listed where they differ by more than a doubled letter ("marw|farw").
WELSH_RISK_PHRASES: tuple[str, ...] = (
    # suicide named, killing or ending oneself
    "hunanladd*",
    "lladd|nladd fy|yn hun|hunan",
    "cymryd|gymryd fy mywyd",
    "diwedd|terfyn ar fy_mywyd|mywyd|bethau|popeth|y_cyfan|y_cwbl|cwbl|bob_dim",
    "dod a? fy mywyd i ben",
    "dod ar cyfan|cwbl i ben",
    "eisiau|isio|isie|ishe|eisie|moyn|mofyn|dymuno|hoffwn|barod ~ marw|farw",
    "well|gwell gen|da|gyda i|fi ~ farw|marw",
    "teimlo|deimlo|teimlais fel marw|farw",
    "meddwl|meddyliau|meddylie|meddyliais|feddwl am|o ladd|farw|niweidio|hunanladd*|frifo|anafu|ddiweddu",
    # plans and goodbyes
    "cynllun*|chwilio|gwglo|googl*|edrych ~ sut|ffordd|ffyrdd i ladd|farw|orddos|ngorddos",
    "nodyn|llythyr|lythyr|neges ffarwel",
    "trefn ar fy materion",
    # wanting to disappear, not wake, not be here
    "eisiau|isio|isie|ishe|moyn|dymuno ~ diflannu|ddiflannu|peidio_bod|peidio_bodoli",
    "ddim|dim eisiau|isio|isie|ishe|moyn ~ byw|fyw|bod_yma|bod_ma|bodoli|deffro|ddeffro",
    "peidio|beidio|pheidio deffro|ddeffro",
    "byth deffro|ddeffro",
    "gobeithio na ~ deffro|ddeffro",
    # no point, nothing to live for
    "dim|ddim pwynt ~ byw|fyw|bellach|mwyach|rhagor|bod_yma|bod_ma|cario_mlaen|cario_ymlaen|mynd_ymlaen|dal_ati",
    "does|oes? dim pwynt .",
    "beth|be ~ pwynt ~ byw|fyw|bellach|mwyach|rhagor|trio|cario_mlaen|cario_ymlaen|mynd_ymlaen|bodoli|codi_yn_y_bore",
    "beth|be ywr|yw|dir|ydyr|ydir|di|ydi|ydy pwynt .",
    "dim|ddim rheswm i|dros byw|fyw|gario_mlaen|gario_ymlaen|ddal_ati",
    "dim|ddim byd i fyw",
    "ddim|dim yn? werth|gwerth ei? byw|fyw",
    "casau|gasau|nghasau fy hun|hunan|mywyd",
    # better off without me, a burden, nobody would notice
    "well|gwell ~ hebdda*|heb_fi|hebddo_i",
    "in|dwin|teimlon|deimlon|bod_yn|fod_yn faich",
    "neb ~ gweld fy|yn? eisiau|isio|ishe|isie",
    "neb ~ sylwi ~ tase|taswn|tasen|pe|petawn|petai|baswn|swn_i|sen_i",
    "fyddai|fydde|fasai|fase|bydde ~ neb ~ malio|poeni|hidio|sylwi",
    # cannot cope or go on; the end of my tether; falling apart
    "methu|ffaelu|ffili ~ ymdopi|dopio|copio|cario_mlaen|cario_ymlaen|mynd_ymlaen|dal_ati|diodde|dioddef"
    "|cymryd_rhagor|cymryd_mwy|gwneud_hyn_rhagor|neud_hyn_rhagor",
    "methu|ffaelu|ffili wynebu ~ fory|yfory|diwrnod_arall|shifft_arall|rhagor|mwy",
    "ddim|dim|prin ~ ymdopi|dopio|copio",
    "ddim|dim yn? gallu|medru ~ cario_mlaen|cario_ymlaen|mynd_ymlaen|dal_ati|diodde|dioddef|cymryd_rhagor",
    "pen|ben fy nhennyn",
    "cael digon|llond_bol .",
    "cael digon|llond_bol ~ ar_fywyd|ar_fyw|ar_bopeth|ar_y_cyfan|ar_y_cwbl|ar_bob_dim|ar_bethau",
    "popeth|cyfan|cwbl|bywyd|mywyd ~ ormod|rhy_anodd|rhy_drwm",
    "chwalfa nerfol|feddyliol|emosiynol|lwyr",
    "dw|dwi|dwin|rydw|rwyn|rwy|wi|win|on|roeddwn|teimlon|deimlon ~ chwalu|torri_lawr|torri_i_lawr",
    "dim ffordd allan|ymlaen",
    "methu|ffaelu|ffili|dim ~ gweld ~ ffordd_allan|ffordd_ymlaen|dyfodol|golau|gobaith|pen_draw",
    "dim golau ~ twnnel",
    "dim|heb gobaith|obaith .",
    "dim|heb gobaith|obaith ~ bellach|mwyach|ar_ol|i_mi|i_fi|gen_i|gyda_fi|o_gwbl",
    "samariaid",
    # how it feels: hopeless, worthless, empty, dark
    "teimlo|deimlo|teimlon|deimlon ~ anobeithiol|diobaith|diwerth|gwag|wag|gaeth|diymadferth|aniogel",
    "dwin|in|fin anobeithiol|diobaith|diwerth|diymadferth",
    "lle tywyll|du|dywyll",
    "meddyliau|meddylie tywyll|duon|drwg|ofnadwy|hunanladdol|ymwthiol",
    "gwag|wag|marw|farw tu_mewn|y_tu_mewn",
    # exhaustion with hopelessness, anywhere in the comment
    "blino|flino|blinedig|flinedig|llosgi_allan|losgi_allan|ymladd|lluddedig + anobeithiol|diobaith|diwerth|gaeth"
    "|caeth|dim_gobaith|dim_pwynt|dim_ffordd_allan|methu_gweld|dim_dyfodol",
    # crying before, after or during shifts, in the car, all the time
    "crio|grio|llefain|lefain|wylo|dagrau|ddagrau ~ car|ty_bach|toiled|toiledau|gwaith|shifft|shifftiau|swyddfa"
    "|bob_dydd|bob_nos|bob_bore|drwyr_amser|trwyr_amser|o_hyd|cyn|ar_ol|eto|gartref|adref|adre|cysgu|gysgu",
    "car|ty_bach|toiled|shifft|gwaith ~ crio|grio|llefain|lefain|wylo|dagrau",
    "methu|ffaelu|ffili stopio|stopo|peidio ~ crio|grio|llefain|lefain|ysgwyd|crynu|chrynu",
    "torri|dorri lawr|i_lawr ~ dagrau|grio|crio",
    # hurting or harming oneself
    "hunan niweid*|anaf*",
    "hunanniweid*|hunananaf*",
    "niweidio|anafu|brifo|frifo|mrifo|torri|dorri|nhorri|crafu|grafu fy|yn hun|hunan",
    "gorddos*|orddos*|ngorddos*",
    "gor ddos*|dos*",
    "gormod o dabledi|dabled|bils|feddyginiaeth|gyffuriau",
    "llyncu|cymryd|gymryd|cymerais ~ pob|y_cwbl|yr_holl|llond ~ tabledi|dabledi|pils|bils|moddion|foddion"
    "|meddyginiaeth|feddyginiaeth",
    "dolen grog",
    "neidio|neidiais|naid ~ oddi_ar|o|or ~ bont|pont|clogwyn|glogwyn|adeilad|to|tor|maes_parcio",
    "o flaen y|r? tren|lori|bws|traffig",
    "gyrru|yrru|ngyrru|neidio|camu|gamu ~ traffig|afon|mor|lori|goeden|wal",
    "gobeithio|dymuno|gweddio ~ ddamwain|nharo|mwrw_i_lawr",
    "yfed|yfais|alcohol|diod|gwin|win|cyffuriau|tabledi ~ i|er_mwyn|jyst_i ~ ymdopi|anghofio|fferru|dopio|gopio"
    "|stopio_meddwl|dal_ati",
    "yfed|yfais|alcohol|diod|gwin|win ~ i|er_mwyn|jyst_i ~ cysgu|gysgu",
    "yfed ~ bob_nos|potel|mwy_a_mwy",
    # not safe
    "ddim|dim yn? teimlon|teimlo|deimlon|deimlo ~ diogel|saff",
    "i|fi ddim yn diogel|saff",
    "ddim|dim yn? diogel|saff ~ gartref|adref|adre|yn_y_ty|heno|ar_fy_mhen_fy_hun|gydag_ef|gyda_fe|gyda_fo"
    "|efo_fo|efo_fe|gyda_fy|efo_fy",
    "aniogel gartref|adref|adre|heno",
    "ddim|methu ~ trystio|ymddiried ~ fy_hun|yn_fy_hun|fy_hunan",
    "ofn|ofni|ofnus|arswyd ~ mynd_adref|mynd_adre|mynd_gartref|fynd_adref|fynd_adre|fynd_gartref|am_fy_mywyd"
    "|am_fy_niogelwch|ohono_fe|ohono_fo|ohono_e|fy_mhartner|fy_ngwr|fy_ngwraig|fy_nghariad|fy_hun",
    # abuse at home
    "cam drin domestig|rhywiol",
    "trais domestig|yn_y_cartref|rhywiol",
    "ngham drin",
    "gwr|ngwr|gwraig|ngwraig|partner|mhartner|cariad|nghariad ~ yn_fy_nharo|fy_nharo|yn_fy_mwrw|fy_mwrw"
    "|yn_fy_mrifo|fy_mrifo|yn_fy_nhagu|fy_nhagu|yn_fy_mygwth|fy_mygwth|reolaethol|dreisgar|gamdriniol",
    "en|hin|on|nhwn fy nharo|mwrw|nhagu|mygwth|mrifo",
    "rheolaeth drwy_orfodaeth|gymhellol|orfodol",
    "treisio|nhreisio|threisio|dreisio|treisiwyd|treisiodd",
    "ymosod* rhywiol|yn_rhywiol",
)

# Everyday idioms taken out before matching, because they contain a risk phrase but mean something benign.
# Kept short on purpose: an idiom that is genuinely ambiguous ("I wanted to die of embarrassment") still matches.
BENIGN_IDIOMS: tuple[str, ...] = (
    "cut* myself some? slack",
    "kill* myself laughing",
    "top|topping|topped myself up",
    "cry|cries|cried|crying|tears|tearful ~ of|with|from laughter|laughing|joy|happiness|relief",
    "far cry",
    "crying shame",
    "for crying out loud",
    "end|ended|ending|ends in tears",
    # Welsh
    "lladd|ladd fy|yn hun|hunan yn? chwerthin",
    "marw|farw chwerthin",
    "crio|grio|llefain|lefain chwerthin",
    "dagrau|ddagrau o|gan? chwerthin|lawenydd|hapusrwydd|ryddhad",
)

_APOSTROPHES = "'’‘ʼ`´′ʹ＇"
# One pass: words (apostrophes and all), runs of dots or an ellipsis ("I just... want to disappear"
# is one thought, so they join), and the marks that end a sentence or clause.
_TOKENS = re.compile(rf"[\w{_APOSTROPHES}]+|\.\.+|…|[.!?;:,\n]+")
_REPEATS = re.compile(r"([^\W\d_])\1+")
_STRIP_APOSTROPHES = str.maketrans("", "", _APOSTROPHES)
_GAP = r"(?:\w+ ){0,3}"
# Contractions, dialect and text-speak, written out; keys as typed without apostrophes.
_SPELLED_OUT = {
    "cant": "cannot",
    "carnt": "cannot",
    "cannae": "cannot",
    "dont": "do not",
    "dinnae": "do not",
    "didnt": "did not",
    "doesnt": "does not",
    "wont": "will not",
    "wouldnt": "would not",
    "couldnt": "could not",
    "shouldnt": "should not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "werent": "were not",
    "havent": "have not",
    "hasnt": "has not",
    "hadnt": "had not",
    "aint": "is not",
    "im": "i am",
    "ive": "i have",
    "theres": "there is",
    "whats": "what is",
    "thats": "that is",
    "its": "it is",
    "everythings": "everything is",
    "lifes": "life is",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "noone": "nobody",
    "meself": "myself",
    "u": "you",
    "ur": "your",
}
_JOINED = {"can not": "cannot", "no one": "nobody", "my self": "myself", "any more": "anymore", "for ever": "forever"}


def _squeeze(text: str) -> str:
    return _REPEATS.sub(r"\1", text)


_EXPANSIONS = {_squeeze(short): _squeeze(long) for short, long in _SPELLED_OUT.items()}
_JOINS = tuple((f" {_squeeze(apart)} ", f" {_squeeze(joined)} ") for apart, joined in _JOINED.items())


@functools.lru_cache(maxsize=8192)
def _token(token: str) -> str:
    """A token as normalized text: a word squeezed and spelled out, "." for a break, "" for dots that join."""
    if token[0] in ".!?;:,\n…":
        return "" if token == "…" or token.startswith("..") else "."
    word = _squeeze(token.translate(_STRIP_APOSTROPHES))
    return _EXPANSIONS.get(word, word)


def _normalize(text: str) -> str:
    """Words separated by single spaces, sentence breaks as " . ", repeated letters squeezed, contractions out."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        # Accents dropped ("gŵr", "ymlâdd", "trên"): people type them or not, the phrases are written without.
        text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    words = " ".join(filter(None, map(_token, _TOKENS.findall(text.casefold()))))
    text = f" {words} . "
    for apart, joined in _JOINS:
        if apart in text:
            text = text.replace(apart, joined)
    return text


# Words too common to pick a phrase out of a comment (see _anchor); only speed depends on this list.
_COMMON_WORDS = (
    "i me my myself am is are was were be been being a an the to of in on at for with it this that so just "
    "really not no never do did does have has had want feel felt like can cannot could would will any anymore "
    "more all everything everyone what there if when how go going get got and or out up off about think "
    "thought he she him her ."
)
_COMMON = frozenset(_squeeze(word) for word in _COMMON_WORDS.split())


@dataclass(frozen=True, slots=True)
class _Phrase:
    text: str
    parts: tuple[re.Pattern[str], ...]  # all must match
    benign: bool  # an idiom of BENIGN_IDIOMS, taken out of a clause before the risk phrases are searched


@dataclass(frozen=True, slots=True)
class _Matcher:
    phrases: tuple[_Phrase, ...]
    anchored: Callable[[str], tuple[int, ...]]  # a word -> the phrases whose anchor it is (see _anchor)
    benign: frozenset[int]  # the indices of the idioms of BENIGN_IDIOMS in phrases

    def matches(self, text: str, *, first: bool = False) -> list[str]:
        """The risk phrases that match the text (empty when none; only the first one found when ``first``).

        A phrase never spans a sentence break, so each clause is searched only for the phrases whose anchor
        word it holds, and most clauses hold none; the other parts of an "A + B" phrase may be anywhere.
        """
        normalized = _normalize(text)
        phrases, anchored, benign = self.phrases, self.anchored, self.benign
        found: list[int] = []
        for clause in normalized.split(" . "):
            candidates = set().union(*map(anchored, clause.split()))
            risky = candidates - benign
            if not risky:
                continue
            clause = f" {clause.strip()} . "
            for index in candidates & benign:
                clause = phrases[index].parts[0].sub(" . ", clause)
            for index in risky.difference(found):
                head, *others = phrases[index].parts
                if head.search(clause) and all(other.search(normalized) for other in others):
                    found.append(index)
                    if first:
                        return [phrases[index].text]
        return [phrases[index].text for index in sorted(found)]


def _words(choice: str) -> list[str]:
    return [_squeeze(word) for word in choice.split("_")]


def _slot_pattern(slot: str) -> str:
    if slot == "~":
        return _GAP
    choices = []
    for choice in slot.removesuffix("?").split("|"):
        words = (re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in _words(choice))
        choices.append(" ".join(words))
    body = f"(?:{'|'.join(choices)}) "
    return f"(?:{body})?" if slot.endswith("?") else body


def _check(phrase: str) -> None:
    if not re.fullmatch(r"[a-z0-9*?|_~. +]+", phrase) or "  " in phrase:
        raise ValueError(f"risk phrase {phrase!r}: only lower-case words and the phrase syntax are allowed")
    for word in re.split(r"[ |_?*]+", phrase):
        if _squeeze(word) in _EXPANSIONS and _EXPANSIONS[_squeeze(word)] != _squeeze(word):
            raise ValueError(f"risk phrase {phrase!r}: write {word!r} out as the normalized text has it")
    for part in phrase.split(" + "):
        if any("." in slot for slot in part.split()[:-1]):
            raise ValueError(f"risk phrase {phrase!r}: a sentence end (.) can only come last")
    for apart in _JOINED:
        if apart.replace(" ", "_") in phrase or f" {apart} " in f" {phrase} ":
            raise ValueError(f"risk phrase {phrase!r}: write {apart!r} as {_JOINED[apart]!r}")


def _compile(part: str) -> re.Pattern[str]:
    return re.compile(" " + "".join(_slot_pattern(slot) for slot in part.split()))


def _anchor(part: str) -> tuple[str, ...]:
    """Words of which a match must contain one: for the rarest required place of the phrase, the rarest word of
    each of its choices. "kill*" stays a prefix (ends with "*"). Only speed depends on this choice."""

    def rarity(word: str) -> tuple[bool, int]:
        return word.rstrip("*") not in _COMMON, len(word.rstrip("*"))

    places = []
    for slot in part.split():
        if slot not in ("~", ".") and not slot.endswith("?"):
            rarest = [max(_words(choice), key=rarity) for choice in slot.split("|")]
            places.append((min(map(rarity, rarest)), rarest))
    return tuple(max(places, key=lambda place: place[0])[1])


def _build(phrases: Iterable[str], benign: Iterable[str]) -> _Matcher:
    compiled, by_word, by_prefix = [], dict[str, list[int]](), dict[str, list[int]]()
    for index, (phrase, is_benign) in enumerate([(p, False) for p in phrases] + [(p, True) for p in benign]):
        _check(phrase)
        parts = [part.strip() for part in phrase.split(" + ")]
        compiled.append(_Phrase(phrase, tuple(_compile(part) for part in parts), is_benign))
        for word in _anchor(parts[0]):
            if word.endswith("*"):
                by_prefix.setdefault(word[:-1], []).append(index)
            else:
                by_word.setdefault(word, []).append(index)
    exact = {word: tuple(indices) for word, indices in by_word.items()}
    prefixed = tuple((prefix, tuple(indices)) for prefix, indices in by_prefix.items())
    starts = tuple(by_prefix)

    @functools.lru_cache(maxsize=8192)  # comments reuse a small vocabulary
    def anchored(word: str) -> tuple[int, ...]:
        indices = exact.get(word, ())
        if word.startswith(starts):
            indices += tuple(index for prefix, more in prefixed if word.startswith(prefix) for index in more)
        return indices

    benign_indices = frozenset(index for index, phrase in enumerate(compiled) if phrase.benign)
    return _Matcher(phrases=tuple(compiled), anchored=anchored, benign=benign_indices)


_MATCHER = _build(RISK_PHRASES + WELSH_RISK_PHRASES, BENIGN_IDIOMS)


def risk_phrases_in(text: str | None) -> list[str]:
    """The phrases of RISK_PHRASES that the text matches, for reviewing the list (never log a comment's text)."""
    return _MATCHER.matches(text) if text else []


def mentions_risk(text: str | None) -> bool:
    """Whether the text contains a risk phrase, as whole words, whatever its case, punctuation or contractions.

    It errs on the side of signposting: a false positive only shows crisis numbers to the writer and alerts
    facilitators without naming anyone, while a miss could leave someone at risk without help.
    """
    return bool(text and _MATCHER.matches(text, first=True))
