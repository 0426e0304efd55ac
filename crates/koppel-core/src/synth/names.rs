//! Word lists for synthetic names. Every person and employer name is a random combination of
//! common first names, surnames and trade words; no combination stands for a real person or
//! company. Names are plain ASCII so that e-mail slugs are easy to derive.

/// First names: common Dutch names plus names common among young people with a migration
/// background (the target groups include them).
pub(super) const FIRST_NAMES: &[&str] = &[
    "Daan", "Sem", "Lucas", "Milan", "Levi", "Luuk", "Noah", "Jesse", "Finn", "Bram", "Thijs",
    "Ruben", "Lars", "Tim", "Stijn", "Sven", "Jayden", "Mohamed", "Ayoub", "Yusuf", "Emre", "Mert",
    "Bilal", "Rayan", "Kevin", "Dylan", "Gino", "Jordy", "Niels", "Joris", "Hamza", "Omar",
    "Ricardo", "Jermaine", "Delano", "Tygo", "Mees", "Gijs", "Julian", "Damian", "Owen", "Rick",
    "Wesley", "Mustafa", "Ilias", "Anass", "Kaan", "Arjun", "Minh", "Jamal", "Emma", "Julia",
    "Mila", "Tess", "Sophie", "Zoe", "Sara", "Anna", "Evi", "Noor", "Lotte", "Fleur", "Lisa",
    "Sanne", "Femke", "Iris", "Eva", "Fenna", "Lieke", "Nina", "Roos", "Esmee", "Demi", "Kim",
    "Naomi", "Aylin", "Yasmina", "Fatima", "Salma", "Amira", "Elif", "Zeynep", "Ilse", "Britt",
    "Chantal", "Shanice", "Priya", "Anouk", "Jade", "Isa", "Maud", "Yara", "Lina", "Nora", "Hiba",
    "Imane", "Merel", "Floor", "Romy", "Jasmijn", "Ivy", "Chloe", "Melissa",
];

/// Surnames, with their tussenvoegsel (van, de, van den, ...).
pub(super) const LAST_NAMES: &[&str] = &[
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "van der Heijden",
    "Schouten",
    "van Beek",
    "Willems",
    "van Vliet",
    "van de Ven",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "van Dam",
    "van der Wal",
    "Prins",
    "Blom",
    "Huisman",
    "Peeters",
    "de Lange",
    "Kuipers",
    "van Wijk",
    "Postma",
    "Veenstra",
    "Wijnands",
    "Timmermans",
    "Boersma",
    "Yilmaz",
    "Kaya",
    "Demir",
    "Sahin",
    "Celik",
    "Ozturk",
    "Aydin",
    "El Amrani",
    "Bouzid",
    "Benali",
    "El Idrissi",
    "Ait Taleb",
    "Tahiri",
    "Boukhari",
    "Ramdin",
    "Sewdien",
    "Kartosen",
    "Pinas",
    "Biharie",
    "Nguyen",
    "Tran",
    "Rodrigues",
    "Martina",
    "Cijntje",
    "Mohan",
    "Kowalski",
    "Nowak",
];

/// Per sector: the activity word used in titles and the trade words of employer names.
/// Sectors not listed fall back to [`GENERIC_SECTOR`].
pub(super) const SECTOR_WORDS: &[(&str, &str, &[&str])] = &[
    (
        "zorg",
        "zorg en welzijn",
        &[
            "Zorggroep",
            "Thuiszorg",
            "Woonzorgcentrum",
            "Zorgcentrum",
            "Stichting Zorg",
        ],
    ),
    (
        "techniek",
        "montage",
        &[
            "Installatiebedrijf",
            "Elektrotechniek",
            "Technisch Bureau",
            "Machinefabriek",
            "Metaalbedrijf",
        ],
    ),
    (
        "bouw",
        "bouw en onderhoud",
        &[
            "Bouwbedrijf",
            "Aannemersbedrijf",
            "Timmerfabriek",
            "Schildersbedrijf",
            "Bouwgroep",
        ],
    ),
    (
        "ict",
        "ICT-support",
        &[
            "IT-diensten",
            "Softwarehuis",
            "Webbureau",
            "Systeembeheer",
            "Digitaal Bureau",
        ],
    ),
    (
        "logistiek",
        "magazijn",
        &[
            "Transportbedrijf",
            "Distributiecentrum",
            "Logistiek",
            "Expeditiebedrijf",
            "Koeriersdienst",
        ],
    ),
    (
        "handel",
        "winkel",
        &[
            "Supermarkt",
            "Warenhuis",
            "Bouwmarkt",
            "Modehuis",
            "Tuincentrum",
        ],
    ),
    (
        "horeca",
        "bediening en keuken",
        &[
            "Restaurant",
            "Hotel",
            "Eetcafe",
            "Brasserie",
            "Partycentrum",
        ],
    ),
    (
        "voedsel",
        "productie levensmiddelen",
        &[
            "Bakkerij",
            "Slagerij",
            "Kaasmakerij",
            "Zuivelfabriek",
            "Versfabriek",
        ],
    ),
    (
        "economie",
        "administratie",
        &[
            "Administratiekantoor",
            "Accountantskantoor",
            "Adviesbureau",
            "Salarisbureau",
            "Boekhoudkantoor",
        ],
    ),
    (
        "onderwijs",
        "kinderopvang",
        &[
            "Kinderopvang",
            "Kinderdagverblijf",
            "Basisschool",
            "BSO",
            "Peuterspeelzaal",
        ],
    ),
    (
        "veiligheid",
        "toezicht en sport",
        &[
            "Beveiligingsbedrijf",
            "Sportcentrum",
            "Fitnesscentrum",
            "Sportschool",
            "Zwembad",
        ],
    ),
    (
        "mobiliteit",
        "werkplaats",
        &[
            "Autobedrijf",
            "Garage",
            "Bandencentrum",
            "Autoschadeherstel",
            "Tweewielerbedrijf",
        ],
    ),
    (
        "procesindustrie",
        "procesoperatie",
        &[
            "Chemiebedrijf",
            "Laboratorium",
            "Procestechniek",
            "Kunststoffabriek",
            "Coatingsfabriek",
        ],
    ),
    (
        "schoonmaak",
        "schoonmaak",
        &[
            "Schoonmaakbedrijf",
            "Glazenwasserij",
            "Facilitair Bedrijf",
            "Schoonmaakdiensten",
            "Hygienediensten",
        ],
    ),
    (
        "groen",
        "groenvoorziening",
        &[
            "Hoveniersbedrijf",
            "Kwekerij",
            "Dierenpension",
            "Boomkwekerij",
            "Groenvoorziening",
        ],
    ),
    (
        "uiterlijke-verzorging",
        "salon",
        &[
            "Kapsalon",
            "Schoonheidssalon",
            "Haarmode",
            "Beautysalon",
            "Kappersteam",
        ],
    ),
];

/// Activity and trade words for a sector missing from [`SECTOR_WORDS`].
pub(super) const GENERIC_SECTOR: (&str, &[&str]) =
    ("algemeen", &["Bedrijf", "Onderneming", "Groep"]);

/// Distinctive parts of trade names ("Bakkerij De Molen").
pub(super) const TRADE_CORES: &[&str] = &[
    "De Molen",
    "Het Anker",
    "De Eik",
    "Noorderlicht",
    "Van Dijk",
    "Jansen",
    "De Linde",
    "Zonnehoek",
    "De Brug",
    "Het Veld",
    "De Horst",
    "Bakker",
    "Visser",
    "De Kroon",
    "Het Baken",
    "Oranje",
    "De Vaart",
    "Waterland",
    "De Hoeve",
    "Kuipers",
    "Mulder",
    "De Zwaan",
    "Het Wapen",
    "De Sterren",
    "Hoogland",
    "De Kempen",
    "Polderzicht",
    "De Duinen",
    "Het Gooi",
    "De Wissel",
    "Van der Laan",
    "De Lindeboom",
    "Het Kompas",
    "De Regenboog",
    "Zuiderzon",
    "De Meander",
    "Het Lichtpunt",
    "De Vlinder",
    "Smits",
    "De Toren",
    "Rivierzicht",
    "De Bron",
    "Het Hof",
    "De Akker",
    "Westwijk",
    "Oostpoort",
    "De Beuk",
    "Het Dorp",
    "Van Leeuwen",
    "De Parel",
];

/// Legal or branch suffixes; `#` is replaced by a branch number, `@` by the municipality.
pub(super) const TRADE_SUFFIXES: &[(&str, u32)] = &[
    ("B.V.", 35),
    ("V.O.F.", 12),
    ("& Zn.", 5),
    ("@", 20),
    ("#", 13),
    ("", 15),
];

/// Lower-case ASCII letters and digits of a name, for e-mail addresses ("van den Berg" →
/// "vandenberg").
pub(super) fn slug(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The activity word and trade words for a sector code.
pub(super) fn sector_words(code: &str) -> (&'static str, &'static [&'static str]) {
    SECTOR_WORDS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|&(_, a, t)| (a, t))
        .unwrap_or(GENERIC_SECTOR)
}
