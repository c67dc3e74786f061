"""Labels that partners in the Oberbergischer Kreis use for kinds of offers, by topic id.

The topic ids are those of ki-network's built-in taxonomy.  Matching ignores case, so one
spelling per label is enough.

>>> LABEL_ALIASES["Deutschtreff"]
'language.informal'
"""

from __future__ import annotations

LABEL_ALIASES: dict[str, str] = {
    # language practice outside courses
    "Deutschtreff": "language.informal",
    "Sprachtreff": "language.informal",
    "Sprachcafé": "language.informal",
    "Sprachcafe": "language.informal",
    "Konversationskurs": "language.informal",
    # courses and mediation
    "Integrationskurs": "language.integration_course",
    "Berufssprachkurs": "language.job_german",
    "HSU": "language.heritage",
    "Sprachmittlerpool": "language.mediation",
    "Dolmetscherpool": "language.mediation",
    # families and schools
    "Elterncafé": "early_childhood.parent_counselling",
    "Elterncafe": "early_childhood.parent_counselling",
    "Griffbereit": "early_childhood.griffbereit",
    "Rucksack KiTa": "early_childhood.rucksack_kita",
    "Rucksack Schule": "school.rucksack_schule",
    "Seiteneinsteigerberatung": "school.newcomer_placement",
    "Seiteneinstiegsberatung": "school.newcomer_placement",
    "Hausaufgabenhilfe": "school.daz",
    # counselling
    "MBE": "counselling.adult_migration",
    "JMD": "counselling.youth_migration",
    "KIM": "counselling.case_management",
    "Flüchtlingsberatung": "counselling.asylum",
    "Einbürgerungsberatung": "counselling.residence_naturalisation",
    "Servicestelle Antidiskriminierung": "counselling.anti_discrimination",
    # meeting places and opening of services
    "Frauenfrühstück": "cohesion.encounter",
    "Begegnungscafé": "cohesion.encounter",
    "Ankommenstreff": "cohesion.encounter",
    "Integrationsagentur": "cohesion.intercultural_opening",
    "Ehrenamtsbörse": "volunteering",
    "MSO-Förderung": "migrant_orgs.funding",
}
