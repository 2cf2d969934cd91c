"""A deterministic generator of varied clinic copy about hair mesotherapy (Markdown).

Used by ``benchmarks/run.py``; it can also be run on its own::

    python benchmarks/generate.py OUT_DIR [--mb 10] [--seed 20240601]

Text is built compositionally: sentence templates whose ``{slots}`` expand from word lists
(and from other templates, recursively), with numbers, names, cities, clinics, products,
durations and prices drawn at random. Between 10 and 20 per cent of sentences carry a
claim the linter should notice ("no side effects", "clinically proven", "95% of
patients", "FDA approved", ...); the rest is neutral or compliant copy, including hedged
and negated mentions of the same words. Pages mix headings, paragraphs (some hard-wrapped),
bullet and numbered lists, FAQ questions, quoted testimonials, front matter, links,
emphasis and inline code. Every template here was written for this benchmark.

The same seed always gives byte-identical files. Standard library only.
"""

from __future__ import annotations

import os
import random
import re
import sys
from dataclasses import dataclass, field

# --------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------

FIRST_NAMES = """
Aisha Alana Alba Alex Alfie Alina Amara Amelia Amir Ana Anders Andrea Anika Anton Aria
Arjun Asha Ava Beatriz Ben Bianca Bilal Bruno Caitlin Callum Camila Carla Carmen Cerys
Chidi Chloe Chris Ciara Clara Dana Daniel Darius Dev Diego Dina Dominik Eamon Efua Elena
Eli Elif Ella Emeka Emil Emma Erin Esme Ewan Fatima Felix Femi Fiona Freya Gabriel Gemma
Greta Hamza Hana Harriet Hassan Helena Hugo Ibrahim Ines Ingrid Isla Ivan Jada Jamal Jana
Javier Jess Joao Jonas Jude Julia Kai Kamal Karim Kasia Keira Kemi Kian Kirsty Lara Leah
Leila Leo Liam Lina Lorcan Luca Lucia Maeve Magda Maja Malik Marek Maria Marta Mateo Maya
Mei Mia Mila Mohammed Nadia Naomi Nia Niamh Nikos Nina Noah Noor Olek Olivia Omar Oscar
Owen Paola Pavel Petra Priya Rafael Rania Ravi Rhys Rosa Rory Ruth Sacha Safiya Sam Sana
Sara Sean Selin Seren Shira Simone Sofia Sunil Tariq Tess Theo Tomas Uma Valentina Vikram
Wiktor Yara Yasmin Yusuf Zainab Zara Zofia
""".split()

LAST_NAMES = """
Adeyemi Ahmed Ali Alvarez Andersson Baker Banerjee Bauer Becker Bell Bennett Brennan
Brooks Campbell Carter Castro Chen Clarke Collins Costa Cruz Das Davies Delaney Dias
Dimitriou Doyle Duarte Edwards Evans Farah Ferreira Fischer Fitzgerald Flores Fraser
Garcia Gallagher Ghosh Gomez Graham Gupta Haddad Hall Hansen Harris Hughes Hussain Iqbal
Ivanova Jansen Jones Kaur Kelly Khan Kim Kowalski Kumar Larsen Lewis Lim Lopez Lynch
MacLeod Malik Marino Martin Mehta Meyer Mendes Moreno Murphy Nair Nguyen Nielsen Novak
Nowak O'Brien O'Connor Okafor Okoro Olsen Osei Owusu Patel Pereira Petrov Popescu Quinn
Rahman Reid Reyes Ricci Rivera Roberts Romano Rossi Russo Sahin Santos Schmidt Shah
Silva Singh Sokolov Stewart Sullivan Suzuki Tanaka Taylor Thomas Torres Tran Turner
Valdez Varga Vasquez Walsh Wang Watson Weber Wilson Wright Yadav Yilmaz Young Zhang
""".split()

CITIES = """
London Manchester Birmingham Leeds Glasgow Edinburgh Liverpool Bristol Sheffield Cardiff
Belfast Nottingham Leicester Newcastle Brighton Southampton Portsmouth Oxford Cambridge
Bath York Exeter Plymouth Norwich Aberdeen Dundee Inverness Swansea Derby Coventry
Reading Milton\u00a0Keynes Bournemouth Chester Harrogate Guildford Cheltenham Canterbury
Winchester Stockport Bolton Wigan Preston Blackpool Lancaster Durham Sunderland Hull
Lincoln Peterborough Ipswich Colchester Chelmsford Watford Luton St\u00a0Albans Solihull
Wolverhampton Dublin Cork Galway Limerick Paris Lyon Madrid Barcelona Valencia Lisbon
Porto Milan Rome Turin Florence Berlin Munich Hamburg Cologne Vienna Zurich Geneva
Amsterdam Rotterdam Brussels Antwerp Copenhagen Stockholm Oslo Helsinki Warsaw Krakow
Prague Budapest Athens Istanbul Dubai Doha Toronto Vancouver Sydney Melbourne Auckland
""".replace("\u00a0", "_").split()
CITIES = [c.replace("_", " ") for c in CITIES]

AREAS = """
Mayfair|Marylebone|Harley Street|Chelsea|Kensington|Notting Hill|Canary Wharf|Shoreditch|
Clifton|Didsbury|Jesmond|Headingley|the city centre|the Old Town|the Northern Quarter|
Hampstead|Richmond|Wimbledon|Islington|Clapham|Spinningfields|Deansgate|the West End|
the High Street|Victoria Quarter|the Marina|the Royal Mile|Merchant City|Canton|Roath
""".replace("\n", "").split("|")

CLINIC_WORDS = """
Bloom Harley Crown Aurora Willow Sage Ivory Linden Maple Cedar Juniper Halo Verde Luma
Solace Northfield Riverside Kingsway Belgrave Ashford Thistle Meridian Apex Summit Pure
Renew Revive Origin Nova Atlas Lumen Oak Birch Elm Rowan Hazel Fern Iris Orchid Lotus
Saffron Indigo Cobalt Silver Golden Velvet Coral Amber Pearl Opal Jade Onyx Quartz Clover
Hawthorn Primrose Bramble Heather Ember Tidewater Highgate Beacon Compass Keystone Lantern
""".split()

CLINIC_TYPES = """
Hair Clinic|Hair Studio|Trichology Centre|Trichology Clinic|Aesthetics|Skin & Hair|
Medical Aesthetics|Hair Restoration|Scalp Clinic|Aesthetic Clinic|Hair Institute|
Medispa|Dermatology & Hair|Wellness Clinic|Hair Lab|Aesthetics Studio|Scalp & Hair Studio
""".replace("\n", "").split("|")

INGREDIENTS = """
biotin|hyaluronic acid|dexpanthenol|niacinamide|zinc gluconate|copper tripeptide-1|
organic silicon|vitamin B5|vitamin B7|vitamin C|vitamin E|L-cysteine|L-arginine|
methionine|folic acid|caffeine|ginkgo biloba extract|saw palmetto extract|coenzyme Q10|
glutathione|acetyl tetrapeptide-3|biochanin A|red clover extract|adenosine|keratin peptides|
glycine|proline|lysine|ornithine|DMAE|procyanidin B2|apigenin|oleanolic acid|manganese|
selenium|magnesium pidolate|an amino acid complex|a polynucleotide gel|mineral salts|
pyridoxine|riboflavin|thiamine|inositol|taurine|panthenol|arginine hydrochloride|
nucleic acids|a peptide blend|oligo-elements|hydrolysed collagen|centella asiatica extract
""".replace("\n", "").split("|")

BRAND_HEADS = "Capil Tricho Folli Radix Scalpa Densi Vita Meso Regen Kera Crini Pilo Thrix Nutri Derma Bio".split()
BRAND_TAILS = "ex ia gen lift plus vital force line cell max lab sol tone rise core".split()
BRAND_SUFFIX = [
    "",
    "",
    "",
    " HL",
    " 2.0",
    " Pro",
    " Forte",
    " Intensive",
    " HX",
    " Duo",
    " Complex",
]

CONDITIONS = """
androgenetic alopecia|female pattern hair loss|male pattern hair loss|telogen effluvium|
postpartum shedding|diffuse thinning|stress-related shedding|a receding hairline|
thinning at the crown|a widening parting|seasonal shedding|traction alopecia|
shedding after an illness|thinning after the menopause|brittle, fragile hair|
a dry, flaky scalp|hair that has lost its density|early thinning at the temples|
shedding after a crash diet|hair weakened by bleaching|thinning linked to low iron|
fine hair that will not hold a style|patchy thinning around the hairline
""".replace("\n", "").split("|")

SCALP_AREAS = """
crown|temples|hairline|parting|vertex|frontal zone|back of the head|whole scalp|
sides of the head|thinning patches|mid-scalp|nape of the neck
""".replace("\n", "").split("|")

OBJECTS = """
the scalp|weak follicles|fine strands|existing hair|the hair shaft|the follicle bulb|
thinning areas|the skin of the scalp|new growth|the roots|tired, dull hair|
the microcirculation around each follicle|the hair's natural cycle|the hair fibre|
the growth phase of the cycle|the scalp barrier|sparse areas
""".replace("\n", "").split("|")

SOFT_VERBS = """
support|nourish|hydrate|help strengthen|help revitalise|improve the look of|
deliver nutrients to|encourage healthier-looking|boost circulation in|
add shine to|help condition|help protect|soothe|help rebalance|replenish
""".replace("\n", "").split("|")

GENTLE_ADJ = """
gentle|quick|modern|minimally invasive|targeted|personalised|well-tolerated|
non-surgical|in-clinic|doctor-led|nurse-led|evidence-informed|carefully dosed|
tailored|comfortable|low-downtime|outpatient|bespoke|measured|step-by-step
""".replace("\n", "").split("|")

HEDGES = """
may|can|might|could|is likely to|tends to|often helps to|is designed to|aims to|
is intended to|in many cases can|for some people may
""".replace("\n", "").split("|")

TIMES = """
after the first session|within {n_small} weeks|by the end of the course|between sessions|
over the following months|after {n_sessions} sessions|in the first {n_small} weeks|
around week {n_week}|by your {ordinal} appointment|over {n_small} to {n_big} months|
once the course is complete|as the hair cycle turns over|within {n_big} months
""".replace("\n", "").split("|")

ORDINALS = "third fourth fifth sixth seventh eighth".split()

PRACTITIONER_ROLES = """
aesthetic doctor|nurse prescriber|consultant dermatologist|trichologist|
independent nurse prescriber|GMC-registered doctor|senior aesthetic nurse|hair specialist|
medical director|clinical lead
""".replace("\n", "").split("|")

NEEDLES = ["30G", "32G", "33G", "34G", "a 4 mm", "a 2 mm", "a 1.5 mm", "a 6 mm"]

CURRENCY = ["£", "£", "£", "€", "$"]

MONTHS = """January February March April May June July August September October November December""".split()

DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday".split()

LINK_TEXTS = """
our aftercare guide|the full price list|book a consultation|meet the team|
read the patient information leaflet|our consent form|see before-and-after photos|
how we choose our products|our complaints policy|finance options|
the {city} clinic page|the FAQ|our blog post on {condition}|directions to the clinic
""".replace("\n", "").split("|")

SLUG_WORDS = """
hair mesotherapy scalp treatment aftercare prices team consultation faq blog guide
thinning shedding results booking finance contact about clinic nurse doctor
""".split()

# --------------------------------------------------------------------------------------
# Templates. ``{slot}`` expands from the lists above or from a generated value (numbers,
# clinics, brands, practitioners); ``[a|b|c]`` picks one alternative (an empty one is
# allowed). Both nest. A slot written with a capital (``{Treatment}``) is capitalised.
# --------------------------------------------------------------------------------------

# "Where" phrases: a large space (any clinic, city or district), used by many templates.
WHERE = [
    "at {clinic}",
    "at {clinic}",
    "at our {area} clinic in {city}",
    "at {clinic_word} {city}",
    "in {area}, {city}",
    "at the {city} clinic of {clinic}",
    "at {clinic}, {city}",
    "with {practitioner}",
]

OPENERS = [
    "At {clinic}, ",
    "In our {city} clinic, ",
    "Here in {area}, ",
    "At our {area} clinic, ",
    "For patients in {city}, ",
    "At {clinic_word} in {city}, ",
    "In [our experience|practice] at {clinic}, ",
    "[This|Every] {month} at {clinic_word}, ",
    "For [people|patients|clients] with {condition}, ",
    "[Put simply|In short|To be clear|As a rule], ",
    "At the {city} branch of {clinic_word}, ",
    "[Since|As of] {month} {year}, ",
    "With {practitioner}, ",
]

TAILS = [
    ", [as|which] {practitioner} [will explain|goes through] at [your consultation|the first visit]",
    " [at|in] our {area} clinic",
    " at {clinic}",
    ", [says|notes] {practitioner}",
    " ([see|read] our {month} {year} [guide|update|leaflet])",
    " in {city}",
]

NEUTRAL = [
    "{Treatment} [delivers|places|introduces|brings] [a blend|a mix|a cocktail|a solution] of {ingredient}, {ingredient} and {ingredient} [into|just under|within] the [upper layer of the scalp|skin of the scalp|superficial dermis].",
    "[Each|Every|A typical] [session|appointment|treatment|visit] at {clinic} [takes|lasts|runs to] [about|around|roughly] {n_minutes} minutes[, including time to cleanse the {scalp_area}|, numbing included| from start to finish|].",
    "{Practitioner} [uses|works with|chooses] {needle} needle to place [tiny|small|measured] [amounts|drops|deposits] of {brand} [across|along|over|around] the {scalp_area}.",
    "[Most people|Most patients|Many of our clients|Typically, patients] [book|start with|need] a course of {n_sessions} sessions {where}, [spaced|set|booked] {n_small} [weeks|to {n_big} weeks] apart.",
    "A single session at our {city} clinic costs {price}, and a course of {n_sessions} [is|costs|comes to] {price}.",
    "{Treatment} {hedge} {soft_verb} {object}[ when it is combined with good general health| alongside a balanced diet| as part of a wider plan| for people with {condition}|].",
    "Results vary from person to person, and [some people|a few patients|some of our patients|not everyone] {where} [sees|will see|notices] [little|only a small] change {time}.",
    "Side effects can include {side_effect}, {side_effect} and {side_effect} [at the injection points|over the {scalp_area}|for a day or two|for {n_small} days|after {treatment}].",
    "Before we start, {practitioner} will ask about your [medical history|health|medicines|allergies|previous treatments], [supplements such as {ingredient}|any recent illness|your family history of {condition}|your diet] and [any allergies|your goals|how long you have noticed {condition}].",
    "We do not offer {treatment} [during pregnancy|while breastfeeding|to anyone under 18|to people with {contraindication}] {where}.",
    "Mesotherapy does not cure {condition}, but it {hedge} {soft_verb} {object}.",
    "If you have {contraindication}, [we will talk through other options with you|we may refer you to your GP|we will not go ahead with {treatment}|{practitioner} will suggest other options] {where}.",
    "You can [wash|rinse|shampoo] your hair {n_small} hours after [the appointment|your session|treatment] {where}[, using a mild shampoo| with lukewarm water|, but skip styling products| with a {ingredient} shampoo|].",
    "[Avoid|Skip|Hold off on] [hair dye|saunas|intense exercise|swimming|tight hats|hot showers], [saunas|steam rooms|the gym|dry shampoo|heated rollers] and [intense exercise|alcohol|sunbeds|hair extensions|chlorinated pools] for {n_small} days after [each session|treatment|your visit to {clinic_word}|{treatment}].",
    "Our {city} team has offered [scalp|hair|injectable] treatments since {year}[, starting in {area}| under {practitioner}|].",
    "The [formula|solution|blend] we use {where} [combines|pairs|mixes] {ingredient} with {ingredient}, [chosen|picked|selected] for people with {condition}.",
    "Some [patients|clients|people] {where} notice less shedding {time}; others [need longer|take {n_small} months|see no change|need a different approach].",
    "We take [standardised|dated|close-up] photos of the {scalp_area} at [every|each] visit so that you can [judge|see|measure] the change [yourself|for yourself|against the baseline] at {clinic_word}.",
    "{Treatment} is usually combined with a review of [diet|sleep|stress], [iron levels|vitamin D|ferritin] and [thyroid function|hormones|medicines] by {practitioner}.",
    "Appointments are available on {day}s and {day}s {where}, from {hour} to {hour_pm}.",
    "You will feel a series of small pricks [over the {scalp_area}|as the {brand} goes in|as {practitioner} works], and most people {where} describe it as a {sensation} sensation.",
    "A numbing cream [can be|is] applied {n_minutes} minutes before the injections [if you prefer|on request|at no extra cost|for sensitive areas such as the {scalp_area}] {where}.",
    "Tenderness over the {scalp_area} usually settles within {n_small} days[; if it does not, call {practitioner}|, and a cool compress helps|, {practitioner} says|; call {clinic} if it does not].",
    "{Practitioner} has carried out scalp treatments in {city} for {n_small} years[ and in {city} before that| and trains other clinicians|].",
    "The course is reviewed at session {n_sessions} {where}, and we stop if there is no visible change at the {scalp_area}.",
    "For {condition}, a referral to your GP or [a dermatologist|a trichologist|an endocrinologist] may be the better first step[, and {practitioner} will say so|, as {practitioner} will explain| before {treatment} {where}].",
    "We publish our prices openly: {price} for a consultation [in {city}|with {practitioner}|at {clinic}], refundable against a course.",
    "Your consultation {where} [includes|covers] a trichoscopy of the {scalp_area} and a written treatment plan[ for {condition}| with prices from {price}|].",
    "{Treatment} is not suitable for everyone, and [we|{practitioner}|the team at {clinic}] will say so if it is not right for you.",
    "Maintenance sessions every {n_small} to {n_big} months {hedge} [help to keep|support|maintain] [results|the improvement|density at the {scalp_area}] {where}.",
    "In {month} {year}, {clinic} moved to a [larger|new|quieter] site in {area}, {city}.",
    "We use single-use needles and a fresh vial of {brand} for every [patient|session|treatment] {where}.",
    "{Ingredient} is included [in {brand}|in our formula|in the blend] because it {hedge} {soft_verb} {object}.",
    "Hair grows roughly [one|1|a little over one] centimetre a month, so [any change|a change at the {scalp_area}|new growth] after {treatment} {where} takes [time|several months|{n_small} months or more] to show.",
    "The evidence for mesotherapy in {condition} is [limited|mixed|still early], and [larger trials|better studies|controlled trials] are still needed[, as {practitioner} will tell you|, {practitioner} says| before we can say more about {brand}].",
    "Bring a list of your current medicines to your consultation {where}, including supplements such as {ingredient} or {ingredient}.",
    "We will not treat an area with [active infection|psoriasis|open wounds|sunburn|a cold sore nearby], [psoriasis|eczema|a rash|irritation] or broken skin {where}.",
    "If you take [blood thinners|aspirin|fish oil|ginkgo|ibuprofen], bruising over the {scalp_area} is more likely[ after {treatment}|], so tell {practitioner}.",
    "After {n_sessions} sessions, {practitioner} will compare your photos with the baseline set[ taken in {month}| from your first visit|].",
    "Our clinic in {area} is a {n_walk}-minute walk from {city} [station|bus station|town hall|cathedral].",
    "[Parking|Free parking|A loading bay|Cycle parking] is available [behind the building|on the street|next door] on {day} [mornings|afternoons] {where}.",
    "[Patients|Clients|People] travel to [us|{clinic_word}] from {city}, {city} and {city}.",
    "Topical {ingredient} at home {hedge} {soft_verb} {object} between visits[ to {clinic_word}|].",
    "A patch test [is offered|can be booked|is carried out] {n_small} days before your first full session {where}.",
    "Finance is available on courses over {price} {where}, subject to status.",
    "{Clinic} is registered with the {regulator} and insured for [injectable|aesthetic|scalp] treatments[ since {year}|].",
    "Prices start at {price} per session {where}; the final cost depends on the size of the {scalp_area}.",
    "The injections {where} sit about {depth} mm deep, within the [upper dermis|superficial layer of the skin|skin of the {scalp_area}].",
    "You should avoid [alcohol|coffee|anti-inflammatories|aspirin] for {n_small} hours before and after [treatment|your session|{treatment}] {where}.",
    "We can combine sessions with {other_treatment} where there is a clear reason to, after a talk with {practitioner}.",
    "The whole visit {where}, from check-in to aftercare advice, lasts around {n_minutes} minutes.",
    "Hair loss has many causes, including {cause}, {cause} and {cause}[, which is why {practitioner} asks about {cause}|, and {practitioner} looks at each one|].",
    "Our aftercare sheet [explains|sets out|lists] what to expect over the first {n_small} days after {treatment} {where}.",
    "Every practitioner at {clinic} holds a recognised qualification in [injectables|aesthetic medicine|prescribing][ and is insured|, renewed in {year}|].",
    "You are welcome to bring a [friend|relative|partner] to your consultation in {city}[ with {practitioner}| at {clinic_word}|].",
    "We send a reminder by [text|email|text and email] {n_small} days before each appointment {where}.",
    "A follow-up call from {practitioner} comes {n_small} days after your first session[ of {treatment}|].",
    "{Treatment} targets {condition}, which often shows first at the {scalp_area}.",
    "Changes in hair density at the {scalp_area} are measured, not guessed, {where}, using the same [lighting|camera|angle] [each time|at every visit|as in {month}].",
    "Cancellations {where} need {n_small} hours' notice, or the deposit of {price} is kept.",
    "The treatment room in {area} was [refurbished|opened|extended] in {month} {year}.",
    "Our {role} reviews every plan [before the first injection|for {condition}|with {brand}] {where}.",
    "If results have not shown by session {n_sessions}, [we|{practitioner}] will tell you honestly {where}.",
    "A blood test for [ferritin|iron|vitamin D|zinc], [vitamin D|B12|folate] and thyroid function is arranged before treatment where [needed|{practitioner} advises it] {where}.",
    "Each vial of {brand} contains {ingredient}, {ingredient} and a small amount of {ingredient}.",
]

SIDE_EFFECTS = """
redness|mild swelling|bruising|tenderness|itching|a brief headache|pinpoint bleeding|
small bumps|a feeling of tightness|temporary sensitivity|a short-lived rash
""".replace("\n", "").split("|")

CONTRAINDICATIONS = """
a bleeding disorder|an active scalp infection|uncontrolled diabetes|an autoimmune condition|
a history of keloid scarring|a known allergy to {ingredient}|a pacemaker|
a current course of chemotherapy|epilepsy that is not well controlled
""".replace("\n", "").split("|")

SENSATIONS = "stinging|prickling|scratching|pinching|tingling|snapping|warm".split("|")

REGULATORS = """
Care Quality Commission|CQC|Healthcare Improvement Scotland|Save Face register|
Joint Council for Cosmetic Practitioners|Nursing and Midwifery Council|General Medical Council
""".replace("\n", "").split("|")

OTHER_TREATMENTS = """
PRP|low-level laser therapy|microneedling|a prescribed topical|LED therapy|
a nutritional review|scalp exfoliation|a change in hair-care routine
""".replace("\n", "").split("|")

CAUSES = """
genetics|hormonal change|stress|low iron|thyroid disease|recent illness|crash dieting|
tight hairstyles|certain medicines|pregnancy|the menopause|vitamin D deficiency
""".replace("\n", "").split("|")

ROLES = "lead nurse|medical director|senior trichologist|prescribing doctor|clinical lead".split(
    "|"
)

# Claims the linter should flag, in many phrasings (several categories).
CLAIMS = [
    "[{Treatment}|{Brand}|Our {gentle} treatment] {where} has no side effects[ and no downtime| at all| whatsoever|, so you can go back to work the same day|].",
    "Our {gentle} treatment {where} is completely painless[, so you can go straight back to work| and takes {n_minutes} minutes|].",
    "{Treatment} is clinically proven to {strong_verb} in just {n_sessions} sessions[ at {clinic}|].",
    "Guaranteed results {where}, or we will treat [you|your {scalp_area}] again for free!",
    "{Treatment} {where} stops hair loss for good[, even with {condition}| after {n_sessions} sessions|].",
    "{pct}% of patients [see|notice|get] [thicker hair|new growth|less shedding] after {n_sessions} sessions[ at {clinic_word}|].",
    "{Clinic} is the UK's No.1 clinic for [{condition}|hair mesotherapy|scalp treatments].",
    "{Brand} is FDA approved for [hair regrowth|{condition}|thinning at the {scalp_area}].",
    "[{Treatment}|{Brand}] is 100% safe and suitable for everyone {where}.",
    "[{Treatment}|Our {brand} protocol] is risk-free and virtually painless {where}.",
    "{Treatment} cures {condition} permanently[ in {n_sessions} sessions|].",
    "With {brand}, results are guaranteed within {n_small} weeks[ at {clinic}|].",
    "A scientifically proven way to [regrow hair|thicken hair|end shedding] at the {scalp_area}, {where}.",
    "Our [{city}|{area}] patients report zero side effects, and {pct}% would recommend us.",
    "{Clinic} is the best hair clinic in {city}[ for {condition}|].",
    "Permanent results after only {n_sessions} sessions [of {treatment}|with {brand}] {where}.",
    "{Treatment} {where} is totally safe, even during pregnancy[ and breastfeeding|].",
    "[{Treatment}|{Brand}] reverses {condition} and restores a full head of hair.",
    "{Brand} is clinically proven, FDA approved and completely safe[ for {condition}|].",
    "{pct}% of our [{city}|{area}] clients saw new growth within {n_small} weeks.",
    "There is no risk and no pain {where}: just thicker hair[ at the {scalp_area}|].",
    "{Treatment} will stop your hair falling out, guaranteed, or your {price} back.",
    "Voted the number one hair clinic in {city} for {year}[ by our patients|].",
    "A pain-free, side-effect free alternative to a hair transplant, {where}.",
    "{Brand} is medically proven to double hair density[ in {n_small} weeks|].",
    "[Hair loss|Shedding|Thinning at the {scalp_area}] gone for good after just one course at {clinic}.",
    "You will see instant results from the very first session [of {treatment}|with {practitioner}|with {brand}] {where}.",
    "Our {ingredient} formula is 100% natural and works for everyone[ with {condition}|], {where}.",
    "The only treatment in {city} that regrows hair permanently, with no side effects[: {brand}|, is {treatment}].",
    "Approved by the FDA and trusted by over {n_thousands},000 patients {where}.",
    "{Treatment} is completely painless and works for every hair type[, from {condition} to {condition}|].",
    "Results are guaranteed {where}, or your money back.",
    "{pct} percent of [men|women|patients] see their [bald patches|thin areas|{scalp_area}] fill in[ with {brand}|].",
    "{Clinic} is the UK's leading hair mesotherapy clinic, with guaranteed regrowth[ from {price}| in {city}|].",
]

# Compliant mentions that share words with claims (negated, hedged, questions, reported).
NEAR_MISSES = [
    "No treatment is completely painless, and {treatment} {where} is no exception.",
    "We cannot guarantee results [for {condition}|with {brand}] {where}, because everyone responds differently.",
    "{Brand} is not FDA approved for [hair loss|{condition}].",
    "Some clinics in {city} claim there are no side effects, but [bruising|{side_effect}] is common after {treatment}.",
    "Is {treatment} completely painless? [Most people|Many of our patients] {where} feel some discomfort at the {scalp_area}.",
    "It would be wrong to say that {treatment} stops hair loss for good, {practitioner} says.",
    "No clinic can honestly promise permanent results for {condition}, and {clinic} does not.",
    "Claims that {pct}% of patients regrow hair with {brand} are not backed by [good|large|independent] trials.",
    "{Treatment} is not risk-free, and {practitioner} explains the risks at consultation.",
    "We do not claim to be the best clinic in {city}; {clinic} aims to be an honest one.",
]

STRONG_VERBS = """
regrow hair|stop shedding|reverse thinning|double hair density|thicken every strand|
reactivate dormant follicles|cure hair loss|restore a full hairline
""".replace("\n", "").split("|")

QUESTIONS = [
    "How many sessions of {treatment} will I need [for {condition}|at the {scalp_area}|{where}]?",
    "Does {treatment} hurt [at the {scalp_area}|if I have {condition}|{where}]?",
    "What are the side effects of {treatment} {where}?",
    "How soon will I see a difference at the {scalp_area} [after {treatment}|with {brand}] {where}?",
    "Can I have {treatment} {where} if I have {condition}?",
    "Is {treatment} safe if I take {ingredient} supplements?",
    "How much does a course of {n_sessions} sessions cost at {clinic}?",
    "Who carries out the treatment [at {clinic}|at {clinic}, {city}|at {clinic_word} in {area}]?",
    "Can I [wash|colour|straighten|curl] my hair [after a session|the day after {treatment}|before my {ordinal} appointment|within {n_small} days of treatment] {where}?",
    "What is in the {brand} solution[ you use in {city}|]?",
    "Will {treatment} work for {condition}[ at the {scalp_area}|]?",
    "How long do results last after {n_sessions} sessions {where}?",
    "Can {treatment} be combined with {other_treatment} {where}?",
    "Do I need a consultation before booking [in {city}|with {practitioner}|at {clinic}]?",
    "Is there any downtime after {treatment} {where}?",
    "Can I [exercise|swim|go to the gym|fly|wear a hat] [between sessions|after {treatment}|in the {n_small} days after treatment] {where}?",
    "What happens if I miss my {ordinal} appointment [at {clinic}|in {city}|with {practitioner}]?",
    "Is {treatment} suitable for [women|men|people over {age}] with {condition}?",
    "Why does {clinic} ask for a blood test[ before {treatment}|]?",
    "How deep do the needles go into the {scalp_area} {where}?",
]

TESTIMONIALS = [
    "I noticed less hair in my [brush|shower drain|pillow|comb] after my {ordinal} session with {first} [in {city}|at {clinic_word}].",
    "The team in {area} made me feel at ease from [the first visit|the moment I arrived|my consultation] with {first} {last}.",
    "My [parting|crown|hairline|ponytail] looks a little fuller in the photos [{first} took|from {month}|after {n_sessions} sessions] at {clinic_word}, and I feel more confident.",
    "It [stung|pinched|tingled] a bit at the {scalp_area}, but it was over in {n_minutes} minutes[ and {first} was lovely|, thanks to {first}|].",
    "{First} explained everything honestly, including that it might not work for my {condition}.",
    "After {n_sessions} sessions at {clinic_word} my [hairdresser|partner|sister|barber|mum] [commented on|noticed] the new baby hairs at my {scalp_area}.",
    "I was nervous about needles, but [the numbing cream|{first}|the {n_minutes}-minute chat beforehand] [at {clinic_word}|in {city}] helped a lot.",
    "I travelled from {city} to {clinic_word} [in {city}|in {area}] and it was worth every mile.",
    "The results are subtle, but my hair feels thicker when I [tie it up|blow-dry it|wear it down] after {n_sessions} sessions with {first}.",
    "Honest advice, clear prices from {price} and a lovely clinic in {city}.",
    "My shedding slowed down around week {n_week}[ of the {brand} course| with {first}| at {clinic_word}].",
    "I had some [bruising|redness|tenderness] for {n_small} days, exactly as {first} said I might.",
    "Best decision I made in {year}, my {scalp_area} looks so much better after {n_sessions} sessions with {first}!",
    "Zero side effects and my hair is thicker than it has been in {n_small} years, thanks to {first} at {clinic_word}!",
    "My bald patch completely vanished after {n_sessions} visits to {clinic_word} in {city}!",
    "I would recommend {clinic} to anyone struggling with {condition}.",
]

WHO = [
    "{first}, {age}",
    "{first} {initial}., {city}",
    "{first}, {age}, {city}",
    "{first} from {city}",
    "{first} {initial}., patient since {year}",
    "{first}, treated for {condition}",
    "{first} {initial}., {age}",
    "[Mr|Ms|Mrs] {last}, {city}",
]

H1 = [
    "Hair Mesotherapy in {city} | {clinic}",
    "Scalp Mesotherapy at {clinic}[ in {area}|]",
    "{Treatment} in {area}, {city}",
    "Thinning hair in {city}: {Treatment} at {clinic}",
    "Mesotherapy for {Condition} at {clinic}",
    "{clinic}: Hair Mesotherapy with {brand}",
    "Your Guide to {Treatment} in {city} ({year})",
]

H2 = {
    "intro": [
        "What is {treatment} at {clinic}?",
        "About {treatment} at {clinic}",
        "How {treatment} works for {condition}",
        "Why {city} patients choose {clinic}",
        "{Treatment}, explained by {practitioner}",
    ],
    "benefits": [
        "What {treatment} may help with {where}",
        "Why consider {treatment} in {city}?",
        "What to expect from {brand} {where}",
        "Who we treat {where}",
        "How {treatment} can help with {condition}",
    ],
    "process": [
        "Your first visit to {clinic}",
        "What happens on the day at {clinic}",
        "{Treatment}, step by step {where}",
        "Your appointment in {area}, {city}, with {practitioner}",
        "Before and after {treatment} {where}",
    ],
    "faq": [
        "Frequently asked questions about {treatment} {where}",
        "Your questions about {brand} {where}",
        "FAQ: {treatment} in {city}",
        "Questions we hear at {clinic}",
        "Common questions from {city} patients about {brand}",
    ],
    "reviews": [
        "What our {city} patients say about {clinic_word}",
        "Reviews from {clinic} patients",
        "Patient stories from {clinic}",
        "In their own words: {treatment} {where}",
        "Feedback from the {area} clinic, {year}",
    ],
    "prices": [
        "Prices at {clinic}",
        "{Treatment} prices in {city}",
        "Costs and courses at {clinic}",
        "What a course of {brand} costs {where}",
        "Fees and finance at {clinic}",
    ],
    "aftercare": [
        "Aftercare at {clinic}",
        "After your session in {area}, {city}",
        "Looking after your {scalp_area} after {treatment}",
        "Aftercare for {treatment} {where}",
        "The days after {treatment} with {brand}",
    ],
    "risks": [
        "Risks and side effects of {treatment} {where}",
        "Is {treatment} right for you? A note from {practitioner}",
        "Who should not have {treatment} {where}",
        "Safety at {clinic}",
        "Side effects of {brand}: what {practitioner} tells patients",
    ],
}

BENEFIT_ITEMS = [
    "{Soft_verb} {object} with {ingredient} and {ingredient}",
    "Sessions of about {n_minutes} minutes {where}",
    "Led by {practitioner}",
    "A written plan for {condition} from {practitioner}",
    "[Photos|Trichoscopy] of the {scalp_area} at every visit {where}",
    "Clear prices from {price} per session {where}",
    "Single-use {needle} needles and fresh vials of {brand}",
    "Suitable for many people with {condition} [or {condition}|{where}]",
    "Combined with {other_treatment} where it makes sense, {where}",
    "Reviewed at session {n_sessions} by {practitioner}",
    "Appointments on {day}s and {day}s {where}",
    "A formula built around {ingredient} and {ingredient}",
]

CLAIM_ITEMS = [
    "No side effects, no downtime [with {brand}|{where}]",
    "Completely painless, every time, {where}",
    "Clinically proven regrowth in {n_sessions} sessions with {brand}",
    "Guaranteed results {where}",
    "Stops hair loss for good [at the {scalp_area}|{where}] with {brand}",
    "{pct}% of patients see results with {brand}",
    "{Clinic}: the UK's No.1 hair clinic",
    "FDA approved ingredients such as {ingredient}, in {brand}",
    "Suitable for everyone {where}",
    "100% safe, even during pregnancy, says {practitioner}",
    "Permanent regrowth at the {scalp_area} {where}",
]

STEP_ITEMS = [
    "[We cleanse|{Practitioner} cleanses|Your nurse cleans] the {scalp_area} with [an antiseptic solution|chlorhexidine|an alcohol-free cleanser] {where}.",
    "{Practitioner} marks the thinning areas [at the {scalp_area}|around the {scalp_area}|] and takes [photos|close-ups|trichoscopy images].",
    "A numbing cream is applied for {n_minutes} minutes [if you want it|on request|over the {scalp_area}] {where}.",
    "The {brand} solution is placed with {needle} needle in [small drops|a grid pattern|rows {n_small} mm apart][ over the {scalp_area}|].",
    "{Practitioner} applies a soothing serum with {ingredient} and goes through [aftercare|your next steps|the {month} review date].",
    "You book your next session for {n_small} weeks' time [with {practitioner}|at {clinic}|on a {day} {where}].",
    "Avoid [washing your hair|hair products|touching the {scalp_area}|hats and helmets] for {n_small} hours after {treatment}[ with {brand}|].",
    "Skip the [gym|sauna|pool|steam room|hot yoga class] [and the sauna|and any sunbeds|and alcohol|] for {n_small} days after [each session|your visit] {where}.",
    "Use a [gentle|mild|fragrance-free] shampoo [without sulphates|with {ingredient}|for sensitive skin] until the {scalp_area} settles[, as {practitioner} advises| after {treatment}].",
    "Call {clinic} on the number on your aftercare card if [redness|swelling|tenderness] lasts beyond {n_small} days.",
    "Keep a note of any shedding [at the {scalp_area}|in your brush|after washing] so that {practitioner} can compare at session {n_sessions}.",
]

PRICE_ITEMS = [
    "Consultation with {practitioner}: {price}",
    "[Single|One-off|Individual] session [with {brand}|at {area}|({n_minutes} minutes)]: {price}",
    "Course of {n_sessions} sessions [with {brand}|for {condition}|{where}]: {price}",
    "Maintenance session every {n_small} months {where}: {price}",
    "Trichoscopy and photos of the {scalp_area}: {price}",
    "Blood tests [for {condition}|if needed|with {practitioner}]: {price}",
    "Top-up with {brand} [at {area}|{where}]: {price}",
]


def _year(rng: random.Random) -> str:
    return str(rng.randint(1998, 2025))


def _split_top(text: str) -> list[str]:
    """Split on ``|`` outside brackets (lists above may hold alternations)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


TREATMENT = _split_top(
    " ".join(
        s.strip()
        for s in """
hair mesotherapy|scalp mesotherapy|mesotherapy for [hair loss|thinning hair|the scalp]|
our [mesotherapy|scalp] programme|microinjection therapy for the scalp|the {brand} protocol|
a course of scalp microinjections|meso-hair therapy|the {clinic_word} scalp programme|
[vitamin|peptide|amino acid] mesotherapy for the scalp|hair meso|the {ingredient} scalp cocktail|
a {gentle} course of mesotherapy|mesotherapy with {brand}|{brand} scalp treatment
""".strip().split("\n")
    ).replace("| ", "|")
)


@dataclass
class Grammar:
    rng: random.Random
    lists: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lists = {
            "first": FIRST_NAMES,
            "last": LAST_NAMES,
            "city": CITIES,
            "area": AREAS,
            "clinic_word": CLINIC_WORDS,
            "ingredient": INGREDIENTS,
            "condition": CONDITIONS,
            "scalp_area": SCALP_AREAS,
            "object": OBJECTS,
            "soft_verb": SOFT_VERBS,
            "gentle": GENTLE_ADJ,
            "hedge": HEDGES,
            "time": TIMES,
            "ordinal": ORDINALS,
            "needle": NEEDLES,
            "side_effect": SIDE_EFFECTS,
            "contraindication": CONTRAINDICATIONS,
            "sensation": SENSATIONS,
            "regulator": REGULATORS,
            "other_treatment": OTHER_TREATMENTS,
            "cause": CAUSES,
            "role": ROLES,
            "strong_verb": STRONG_VERBS,
            "treatment": TREATMENT,
            "day": DAYS,
            "month": MONTHS,
            "link_text": LINK_TEXTS,
            "where": WHERE,
        }
        self._generated = {
            "n_small": lambda r: str(r.randint(2, 12)),
            "n_big": lambda r: str(r.randint(4, 18)),
            "n_week": lambda r: str(r.randint(3, 16)),
            "n_walk": lambda r: str(r.randint(2, 25)),
            "n_sessions": lambda r: str(r.randint(3, 10)),
            "n_minutes": lambda r: str(r.choice([10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 75, 90])),
            "n_thousands": lambda r: str(r.randint(2, 60)),
            "pct": lambda r: str(r.randint(60, 99)),
            "year": _year,
            "depth": lambda r: f"{r.randint(1, 4)}.{r.randint(0, 9)}",
            "price": lambda r: (
                f"{r.choice(CURRENCY)}{r.randint(6, 95) * 10 + r.choice([0, 0, 5, 9])}"
            ),
            "age": lambda r: str(r.randint(21, 68)),
            "hour": lambda r: f"{r.randint(7, 10)}{r.choice(['am', ':30am', 'am'])}",
            "hour_pm": lambda r: f"{r.randint(4, 8)}{r.choice(['pm', ':30pm', 'pm'])}",
            "initial": lambda r: r.choice(LAST_NAMES)[0],
            "clinic": self._clinic,
            "brand": self._brand,
            "practitioner": self._practitioner,
        }

    # -- generated slots ----------------------------------------------------------------

    def _clinic(self, r: random.Random) -> str:
        roll = r.random()
        if roll < 0.35:
            return f"{r.choice(CLINIC_WORDS)} {r.choice(CLINIC_TYPES)}"
        if roll < 0.55:
            return f"{r.choice(CLINIC_WORDS)} {r.choice(CLINIC_TYPES)} {r.choice(CITIES)}"
        if roll < 0.7:
            return f"The {r.choice(CITIES)} {r.choice(CLINIC_TYPES)}"
        if roll < 0.85:
            return f"{r.choice(LAST_NAMES)} & {r.choice(LAST_NAMES)} {r.choice(CLINIC_TYPES)}"
        return f"{r.choice(CLINIC_WORDS)} {r.choice(CLINIC_WORDS)} {r.choice(CLINIC_TYPES)}"

    def _brand(self, r: random.Random) -> str:
        return r.choice(BRAND_HEADS) + r.choice(BRAND_TAILS) + r.choice(BRAND_SUFFIX)

    def _practitioner(self, r: random.Random) -> str:
        roll = r.random()
        if roll < 0.45:
            return f"Dr {r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}"
        if roll < 0.8:
            return f"our {r.choice(PRACTITIONER_ROLES)}, {r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)},"
        return (
            f"{r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}, our {r.choice(PRACTITIONER_ROLES)},"
        )

    # -- expansion ----------------------------------------------------------------------

    _SLOT = re.compile(r"\{(\w+)\}")
    _ALT = re.compile(r"\[([^\[\]]*)\]")

    def slot(self, name: str) -> str:
        key = name.lower()
        if key in self._generated:
            value = self._generated[key](self.rng)
        else:
            value = self.rng.choice(self.lists[key])
        value = self.expand(value)
        return value[:1].upper() + value[1:] if name[:1].isupper() else value

    def expand(self, template: str) -> str:
        for _ in range(8):  # nested alternations and slots
            if "[" in template:
                template = self._ALT.sub(lambda m: self.rng.choice(m.group(1).split("|")), template)
            elif "{" in template:
                template = self._SLOT.sub(lambda m: self.slot(m.group(1)), template)
            else:
                break
        # A practitioner's closing comma ("our nurse, Ana Silva,") is wrong before a stop.
        template = re.sub(r" {2,}", " ", template).replace(" ,", ",")
        return re.sub(r",(?=[.:;!?,)]|$)", "", template).replace(",'s", "'s")

    def sentence(self, template: str, opener_rate: float = 0.0, tail_rate: float = 0.0) -> str:
        """A template with an optional opener ("At X, ...") and tail (" in {city}")."""
        rng = self.rng
        opener = ""
        if rng.random() < opener_rate:
            opener = self.expand(rng.choice(OPENERS))
            template = _lower_start(template)
        text = self.expand(template)
        if rng.random() < tail_rate and text[-1:] == ".":
            text = text[:-1] + self.expand(rng.choice(TAILS)) + "."
            text = re.sub(r",(?=[.])", "", text)
        text = opener + text
        return text[:1].upper() + text[1:]


def _lower_start(template: str) -> str:
    """Lower-case the first word of a template that will follow an opener."""
    if template.startswith("{") and template[1:2].isupper():
        name = template[1 : template.index("}")]
        if name.lower() in ("treatment", "ingredient", "condition", "soft_verb"):
            return "{" + name.lower() + template[template.index("}") :]
        return template
    first = template.split(" ", 1)[0]
    if first == "A" or (len(first) > 1 and first[1:2].islower() and first != "Dr"):
        return template[:1].lower() + template[1:]
    return template


# --------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------


@dataclass
class Stats:
    sentences: int = 0
    claims: int = 0


class PageWriter:
    """Builds one Markdown page; keeps count of sentences and claim sentences."""

    def __init__(self, grammar: Grammar, stats: Stats, claim_rate: float) -> None:
        self.g = grammar
        self.r = grammar.rng
        self.stats = stats
        self.claim_rate = claim_rate
        self.wrap = self.r.random() < 0.4  # hard-wrapped paragraphs in some files
        site = self.r.choice(["hair", "clinic", "scalp", "aesthetics", "meso", "trichology"])
        self.domain = f"www.{self.r.choice(CLINIC_WORDS).lower()}{site}.example"

    def _cap(self, text: str) -> str:
        return text[:1].upper() + text[1:]

    # -- sentences -----------------------------------------------------------------------

    def sentence(self) -> str:
        r, g = self.r, self.g
        self.stats.sentences += 1
        roll = r.random()
        if roll < self.claim_rate:
            self.stats.claims += 1
            text = g.sentence(r.choice(CLAIMS), opener_rate=0.15)
        elif roll < self.claim_rate + 0.05:
            text = g.sentence(r.choice(NEAR_MISSES))
        else:
            text = g.sentence(r.choice(NEUTRAL), opener_rate=0.25, tail_rate=0.1)
        return self.decorate(text)

    def decorate(self, text: str) -> str:
        """Occasional emphasis, links and inline code, never splitting a word."""
        r = self.r
        roll = r.random()
        if roll < 0.06:
            words = text.split(" ")
            if len(words) > 4:
                i = r.randrange(0, len(words) - 3)
                j = i + r.randint(2, 3)
                span = " ".join(words[i:j])
                tail = ""
                while span and span[-1] in ".,!?;:":
                    tail = span[-1] + tail
                    span = span[:-1]
                mark = r.choice(["**", "*", "_"])
                text = " ".join(words[:i] + [f"{mark}{span}{mark}{tail}"] + words[j:])
        elif roll < 0.10:
            link = self.g.expand(r.choice(LINK_TEXTS))
            slug = "-".join(r.sample(SLUG_WORDS, r.randint(1, 3)))
            verb = r.choice(["See", "Read", "Find", "More in"])
            text += f" {verb} [{link}](https://{self.domain}/{slug}/)."
        elif roll < 0.12:
            code = r.choice(["HAIR", "MESO", "SCALP", "NEW", "ROOTS"]) + str(r.randint(5, 40))
            when = r.choice(
                ["online", "by phone", f"before {r.choice(MONTHS)}", f"at {r.choice(CLINIC_WORDS)}"]
            )
            text += f" Use the code `{code}` when you book {when}."
        return text

    def paragraph(self, n: int | None = None) -> str:
        n = n or self.r.randint(2, 5)
        text = " ".join(self.sentence() for _ in range(n))
        return self.fill(text) if self.wrap else text

    def fill(self, text: str, width: int = 88) -> str:
        lines, line = [], ""
        for word in text.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        if line:
            lines.append(line)
        return "\n".join(lines)

    def item(self, templates: list[str]) -> str:
        self.stats.sentences += 1
        if self.r.random() < self.claim_rate * 1.2:
            self.stats.claims += 1
            return self._cap(self.g.expand(self.r.choice(CLAIM_ITEMS)))
        return self._cap(self.g.expand(self.r.choice(templates)))

    def heading(self, templates: list[str]) -> str:
        return self._cap(self.g.expand(self.r.choice(templates)))

    # -- sections ------------------------------------------------------------------------

    def section(self, kind: str) -> str:
        r, g = self.r, self.g
        out = [f"## {self.heading(H2[kind])}", ""]
        if kind in ("intro", "risks"):
            for _ in range(r.randint(1, 3)):
                out += [self.paragraph(), ""]
        elif kind == "benefits":
            if r.random() < 0.5:
                out += [self.paragraph(r.randint(1, 2)), ""]
            bullet = r.choice(["-", "*", "+"])
            out += [f"{bullet} {self.item(BENEFIT_ITEMS)}" for _ in range(r.randint(3, 7))] + [""]
        elif kind in ("process", "aftercare"):
            if r.random() < 0.6:
                out += [self.paragraph(r.randint(1, 3)), ""]
            steps = [self._cap(g.expand(s)) for s in r.sample(STEP_ITEMS, r.randint(3, 6))]
            self.stats.sentences += len(steps)
            out += [f"{i}. {s}" for i, s in enumerate(steps, 1)] + [""]
        elif kind == "faq":
            for _ in range(r.randint(2, 5)):
                self.stats.sentences += 1
                q = self._cap(g.expand(r.choice(QUESTIONS)))
                out += [
                    f"### {q}" if r.random() < 0.7 else f"**{q}**",
                    "",
                    self.paragraph(r.randint(1, 3)),
                    "",
                ]
        elif kind == "reviews":
            for _ in range(r.randint(2, 4)):
                quote = " ".join(self._testimonial() for _ in range(r.randint(1, 2)))
                who = g.expand(r.choice(WHO))
                marks = r.choice([('"', '"'), ("\u201c", "\u201d")])
                dash = r.choice(["\u2014", "\u2013", "-"])
                if r.random() < 0.7:
                    out += [f"> {marks[0]}{quote}{marks[1]} {dash} {who}", ""]
                else:
                    out += [f"{marks[0]}{quote}{marks[1]}", "", f"*{who}*", ""]
        elif kind == "prices":
            if r.random() < 0.5:
                out += [self.paragraph(r.randint(1, 2)), ""]
            items = [self._cap(g.expand(s)) for s in r.sample(PRICE_ITEMS, r.randint(3, 6))]
            self.stats.sentences += len(items)
            out += [f"- {s}" for s in items] + [""]
        return "\n".join(out)

    def _testimonial(self) -> str:
        self.stats.sentences += 1
        template = self.r.choice(TESTIMONIALS)
        if template.startswith(("Zero side effects", "My bald patch", "Best decision")):
            self.stats.claims += 1
        return self._cap(self.g.expand(template))

    def page(self, target: int) -> str:
        r, g = self.r, self.g
        parts = []
        title = self.heading(H1)
        if r.random() < 0.4:
            self.stats.sentences += 1
            description = self.sentence().replace('"', "'")
            parts.append(
                f'---\ntitle: "{title.replace(chr(34), "")}"\ndescription: "{description}"\n---\n'
            )
        parts.append(f"# {title}\n")
        parts.append(self.paragraph(r.randint(2, 4)) + "\n")
        kinds = list(H2)
        size = sum(len(p.encode("utf-8")) + 1 for p in parts)
        while size < target:
            block = self.section(r.choice(kinds))
            parts.append(block)
            size += len(block.encode("utf-8")) + 1
        if r.random() < 0.3:
            parts.append(
                f"_Last reviewed by {g.expand('{practitioner}').rstrip(',')} in {g.expand('{month} {year}')}._\n"
            )
        return "\n".join(parts).rstrip("\n") + "\n"


@dataclass
class Corpus:
    files: list[str]
    bytes: int
    sentences: int
    claims: int


def generate(
    out_dir: str,
    total_bytes: int = 10_000_000,
    seed: int = 20240601,
    file_bytes: int = 5000,
    claim_rate: float = 0.17,
) -> Corpus:
    """Write Markdown files into ``out_dir`` (created; existing .md files there removed)."""
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(out_dir):
        if name.endswith(".md"):
            os.remove(os.path.join(out_dir, name))
    rng = random.Random(seed)
    grammar = Grammar(rng)
    stats = Stats()
    files: list[str] = []
    written = 0
    index = 0
    while written < total_bytes:
        writer = PageWriter(grammar, stats, claim_rate)
        target = rng.randint(int(file_bytes * 0.8), int(file_bytes * 1.1))
        data = writer.page(target).encode("utf-8")
        slug = re.sub(r"[^a-z0-9]+", "-", rng.choice(CITIES).lower()).strip("-")
        path = os.path.join(out_dir, f"{index:05d}-{slug}.md")
        with open(path, "wb") as handle:
            handle.write(data)
        files.append(path)
        written += len(data)
        index += 1
    return Corpus(files, written, stats.sentences, stats.claims)


# --------------------------------------------------------------------------------------
# Measuring the text itself
# --------------------------------------------------------------------------------------

_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+\.\s+)")
_SPLIT = re.compile(r"(?<=[.!?\"\u201d])\s+(?=[\"\u201c*_A-Z0-9\u00a3\u20ac$])")


def sentences_of(text: str) -> list[str]:
    """Rough sentences of a Markdown page: per block, markup prefixes removed, split at . ! ?"""
    out = []
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            text = text[end + 5 :]
    for block in re.split(r"\n\s*\n", text):
        lines = [_PREFIX.sub("", line) for line in block.split("\n")]
        joined = " ".join(line.strip() for line in lines if line.strip())
        for sentence in _SPLIT.split(joined):
            sentence = sentence.strip()
            if sentence:
                out.append(sentence)
    return out


def distinct_share(paths: list[str]) -> tuple[int, int]:
    """(distinct sentences, all sentences) over the given files."""
    seen: set[str] = set()
    total = 0
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for sentence in sentences_of(handle.read()):
                total += 1
                seen.add(sentence)
    return len(seen), total


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--mb", type=float, default=10.0, help="corpus size in MB (10^6 bytes)")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)
    corpus = generate(args.out_dir, int(args.mb * 1_000_000), args.seed)
    distinct, total = distinct_share(corpus.files)
    print(
        f"{len(corpus.files)} files, {corpus.bytes / 1e6:.2f} MB, "
        f"claims in {corpus.claims / corpus.sentences:.1%} of generated sentences, "
        f"distinct sentences {distinct}/{total} = {distinct / total:.1%}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
