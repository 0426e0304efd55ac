//! The embedded reference tables (parsed with a tiny comma splitter: the files have no quoted
//! fields), the population and popularity weights, and the precomputed weighted-choice tables
//! the generator draws from.

use super::geo::{self, RegionGeo};
use super::names;
use super::sample::Cum;
use crate::record::{AdjacencyRecord, QualificationRecord, RegionRecord, SectorRecord};
use crate::{Lined, ReferenceRecords};
use rand_chacha::ChaCha8Rng;

pub(super) const REGIONS_CSV: &str = include_str!("data/regions.csv");
pub(super) const ADJACENCY_CSV: &str = include_str!("data/region_adjacency.csv");
pub(super) const SECTORS_CSV: &str = include_str!("data/sectors.csv");
pub(super) const QUALIFICATIONS_CSV: &str = include_str!("data/qualifications.csv");

/// Relative number of young people per region (roughly proportional to population; the urban
/// clusters are largest). Regions missing here get [`DEFAULT_REGION_WEIGHT`].
const REGION_WEIGHTS: &[(&str, f64)] = &[
    ("groningen", 5.8),
    ("friesland", 6.5),
    ("drenthe", 4.9),
    ("noord-holland-noord", 6.6),
    ("zaanstreek-waterland", 3.4),
    ("groot-amsterdam", 13.0),
    ("zuid-kennemerland-en-ijmond", 4.4),
    ("gooi-en-vechtstreek", 2.5),
    ("zuid-holland-centraal", 2.4),
    ("holland-rijnland", 5.6),
    ("haaglanden", 11.0),
    ("midden-holland", 2.4),
    ("rijnmond", 13.5),
    ("drechtsteden", 2.9),
    ("gorinchem", 1.4),
    ("midden-utrecht", 9.0),
    ("amersfoort", 3.0),
    ("foodvalley", 3.5),
    ("flevoland", 4.3),
    ("regio-zwolle", 4.7),
    ("stedendriehoek-en-noordwest-veluwe", 4.5),
    ("twente", 6.3),
    ("achterhoek", 3.0),
    ("midden-gelderland", 4.5),
    ("rivierenland", 2.4),
    ("rijk-van-nijmegen", 3.8),
    ("noordoost-brabant", 6.5),
    ("midden-brabant", 4.5),
    ("west-brabant", 6.5),
    ("zuidoost-brabant", 7.5),
    ("helmond-de-peel", 2.6),
    ("noord-limburg", 2.8),
    ("midden-limburg", 2.3),
    ("zuid-limburg", 6.0),
    ("zeeland", 3.8),
];
const DEFAULT_REGION_WEIGHT: f64 = 3.0;

/// Per sector: popularity (Zipf-like: care, technology, trade and logistics big) and the base
/// outlook steps (chance of an internship, chance of work) before regional noise. Tight markets
/// (care, technology, ICT, construction) score 4–5; slack ones after the crisis (hospitality,
/// retail, beauty) 1–2.
const SECTOR_TABLE: &[(&str, f64, u8, u8)] = &[
    ("zorg", 20.0, 4, 5),
    ("techniek", 13.0, 4, 5),
    ("bouw", 8.0, 4, 4),
    ("ict", 6.0, 4, 5),
    ("logistiek", 11.0, 3, 4),
    ("handel", 12.0, 2, 2),
    ("horeca", 9.0, 2, 1),
    ("voedsel", 4.0, 3, 3),
    ("economie", 7.0, 2, 3),
    ("onderwijs", 5.0, 4, 4),
    ("veiligheid", 4.0, 3, 3),
    ("mobiliteit", 4.0, 4, 4),
    ("procesindustrie", 1.5, 3, 4),
    ("schoonmaak", 4.0, 3, 3),
    ("groen", 3.0, 3, 3),
    ("uiterlijke-verzorging", 1.5, 1, 2),
];
const DEFAULT_SECTOR: (f64, u8, u8) = (2.0, 3, 3);

/// Splits an embedded CSV into `(line number, fields)` per non-empty record line, after checking
/// the header. Panics on a malformed row: the files are compiled in and tested.
pub(super) fn split_csv<'a>(text: &'a str, header: &[&str]) -> Vec<(u64, Vec<&'a str>)> {
    let mut lines = text.lines().enumerate();
    let (_, head) = lines.next().expect("embedded CSV has a header");
    assert_eq!(
        head.split(',').collect::<Vec<_>>(),
        header,
        "embedded CSV header"
    );
    lines
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let fields: Vec<&str> = l.split(',').map(str::trim).collect();
            assert!(
                fields.len() == header.len() && !l.contains('"'),
                "embedded CSV line {}: expected {} unquoted fields: {l}",
                i + 1,
                header.len()
            );
            (i as u64 + 1, fields)
        })
        .collect()
}

fn float(s: &str) -> f64 {
    s.parse().expect("embedded CSV number")
}

/// The four embedded tables as records, with their file line numbers (header = line 1).
pub(super) fn embedded() -> ReferenceRecords {
    let regions = split_csv(
        REGIONS_CSV,
        &[
            "code",
            "name",
            "province",
            "lat",
            "lon",
            "central_municipality",
        ],
    )
    .into_iter()
    .map(|(line, f)| Lined {
        line,
        record: RegionRecord {
            code: f[0].to_owned(),
            name: f[1].to_owned(),
            province: f[2].to_owned(),
            lat: float(f[3]),
            lon: float(f[4]),
            central_municipality: f[5].to_owned(),
        },
    })
    .collect();
    let adjacency = split_csv(ADJACENCY_CSV, &["a", "b"])
        .into_iter()
        .map(|(line, f)| Lined {
            line,
            record: AdjacencyRecord {
                a: f[0].to_owned(),
                b: f[1].to_owned(),
            },
        })
        .collect();
    let sectors = split_csv(SECTORS_CSV, &["code", "name"])
        .into_iter()
        .map(|(line, f)| Lined {
            line,
            record: SectorRecord {
                code: f[0].to_owned(),
                name: f[1].to_owned(),
            },
        })
        .collect();
    let qualifications = split_csv(QUALIFICATIONS_CSV, &["crebo", "name", "sector", "level"])
        .into_iter()
        .map(|(line, f)| Lined {
            line,
            record: QualificationRecord {
                crebo: f[0].to_owned(),
                name: f[1].to_owned(),
                sector: f[2].to_owned(),
                level: f[3].parse().expect("embedded CSV level"),
            },
        })
        .collect();
    ReferenceRecords {
        regions,
        adjacency,
        sectors,
        qualifications,
        outlook: Vec::new(),
        employers: Vec::new(),
    }
}

/// Population weight of a region code, when the built-in table knows it.
pub(super) fn region_weight(code: &str) -> Option<f64> {
    REGION_WEIGHTS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|&(_, w)| w)
}

/// Popularity and base outlook of a sector code, when the built-in table knows it.
pub(super) fn sector_profile(code: &str) -> Option<(f64, u8, u8)> {
    SECTOR_TABLE
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|&(_, w, i, o)| (w, i, o))
}

/// Which learners a qualification table serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum QualPool {
    /// Mbo BOL students: all levels, mostly 3–4.
    Bol = 0,
    /// Mbo BBL students: mostly levels 2–3.
    Bbl = 1,
    /// Pro/vso pupils' intended qualification: entree, some level 2.
    Entry = 2,
    /// Early leavers and job seekers: levels 1–3.
    Low = 3,
}

/// Level weights (index = level 0..=4) per [`QualPool`].
const POOL_LEVEL_WEIGHTS: [[f64; 5]; 4] = [
    [0.0, 0.05, 0.25, 0.30, 0.40],
    [0.0, 0.05, 0.40, 0.40, 0.15],
    [0.0, 0.70, 0.30, 0.0, 0.0],
    [0.0, 0.40, 0.50, 0.10, 0.0],
];

/// A qualification as the generator needs it.
#[derive(Clone, Debug)]
pub(super) struct Qual {
    /// Sector index.
    pub sector: u16,
    /// Level 1..=4.
    pub level: u8,
    /// Display name for titles ("Assistent logistiek (entree)").
    pub title: String,
}

/// Everything derived from the reference tables that record generation draws from.
#[derive(Clone, Debug)]
pub(super) struct World {
    pub regions: Vec<RegionGeo>,
    pub region_pick: Cum,
    pub neighbours: Vec<Vec<u16>>,
    pub sector_pick: Cum,
    /// Base outlook (internship, work) per sector.
    pub sector_outlook: Vec<(u8, u8)>,
    /// Title activity word and employer trade words per sector.
    pub sector_words: Vec<(&'static str, &'static [&'static str])>,
    pub quals: Vec<Qual>,
    pub quals_by_sector: Vec<Vec<u16>>,
    /// Per [`QualPool`].
    pub qual_pick: [Cum; 4],
    /// E-mail slugs of [`names::FIRST_NAMES`] and [`names::LAST_NAMES`].
    pub first_slugs: Vec<String>,
    pub last_slugs: Vec<String>,
}

impl World {
    /// Derives the tables from the embedded reference records; `geo_rng` places the cities.
    pub(super) fn new(refs: &ReferenceRecords, geo_rng: &mut ChaCha8Rng) -> World {
        let regions: Vec<&RegionRecord> = refs.regions.iter().map(|l| &l.record).collect();
        let region_index = |code: &str| regions.iter().position(|r| r.code == code);
        let mut neighbours = vec![Vec::new(); regions.len()];
        for a in &refs.adjacency {
            if let (Some(x), Some(y)) = (region_index(&a.record.a), region_index(&a.record.b)) {
                if x != y && !neighbours[x].contains(&(y as u16)) {
                    neighbours[x].push(y as u16);
                    neighbours[y].push(x as u16);
                }
            }
        }
        let sectors = &refs.sectors;
        let profiles: Vec<_> = sectors
            .iter()
            .map(|s| sector_profile(&s.record.code).unwrap_or(DEFAULT_SECTOR))
            .collect();
        let quals: Vec<Qual> = refs
            .qualifications
            .iter()
            .map(|q| {
                let q = &q.record;
                let sector = sectors
                    .iter()
                    .position(|s| s.record.code == q.sector)
                    .expect("embedded qualification has a known sector")
                    as u16;
                let title = match q.name.strip_prefix("Entree - ") {
                    Some(rest) => format!("{rest} (entree)"),
                    None => q.name.clone(),
                };
                Qual {
                    sector,
                    level: q.level.clamp(1, 4) as u8,
                    title,
                }
            })
            .collect();
        let mut quals_by_sector = vec![Vec::new(); sectors.len()];
        for (i, q) in quals.iter().enumerate() {
            quals_by_sector[q.sector as usize].push(i as u16);
        }
        let pool = |p: QualPool| {
            Cum::new(quals.iter().map(|q| {
                let s = q.sector as usize;
                profiles[s].0 / quals_by_sector[s].len() as f64
                    * POOL_LEVEL_WEIGHTS[p as usize][q.level as usize]
            }))
        };
        World {
            regions: geo::build(&regions, geo_rng),
            region_pick: Cum::new(
                regions
                    .iter()
                    .map(|r| region_weight(&r.code).unwrap_or(DEFAULT_REGION_WEIGHT)),
            ),
            neighbours,
            sector_pick: Cum::new(profiles.iter().map(|p| p.0)),
            sector_outlook: profiles.iter().map(|p| (p.1, p.2)).collect(),
            sector_words: sectors
                .iter()
                .map(|s| names::sector_words(&s.record.code))
                .collect(),
            qual_pick: [
                pool(QualPool::Bol),
                pool(QualPool::Bbl),
                pool(QualPool::Entry),
                pool(QualPool::Low),
            ],
            quals,
            quals_by_sector,
            first_slugs: names::FIRST_NAMES.iter().map(|n| names::slug(n)).collect(),
            last_slugs: names::LAST_NAMES.iter().map(|n| names::slug(n)).collect(),
        }
    }

    /// Draws a qualification from a pool.
    #[inline]
    pub(super) fn qual(&self, pool: QualPool, rng: &mut ChaCha8Rng) -> u16 {
        self.qual_pick[pool as usize].sample(rng) as u16
    }
}
