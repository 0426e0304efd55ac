//! Unit tests of reference-table validation and the region graph.
use super::*;

fn lined<T>(line: u64, record: T) -> Lined<T> {
    Lined { line, record }
}

fn region(line: u64, code: &str, lat: f64, lon: f64) -> Lined<RegionRecord> {
    lined(
        line,
        RegionRecord {
            code: code.into(),
            name: code.to_uppercase(),
            province: "P".into(),
            lat,
            lon,
            central_municipality: "C".into(),
        },
    )
}

fn adj(line: u64, a: &str, b: &str) -> Lined<AdjacencyRecord> {
    lined(
        line,
        AdjacencyRecord {
            a: a.into(),
            b: b.into(),
        },
    )
}

fn qual(line: u64, crebo: &str, sector: &str, level: i64) -> Lined<QualificationRecord> {
    lined(
        line,
        QualificationRecord {
            crebo: crebo.into(),
            name: format!("Q{crebo}"),
            sector: sector.into(),
            level,
        },
    )
}

fn outlook(
    line: u64,
    sector: &str,
    region: &str,
    internship: Option<i64>,
    work: Option<i64>,
) -> Lined<OutlookRecord> {
    lined(
        line,
        OutlookRecord {
            sector: sector.into(),
            region: region.into(),
            internship,
            work,
        },
    )
}

fn employer(line: u64, id: &str, region: &str, quals: &[&str]) -> Lined<EmployerRecord> {
    lined(
        line,
        EmployerRecord {
            id: id.into(),
            name: format!("Employer {id}"),
            region: region.into(),
            recognised_for: quals.iter().map(|&q| q.into()).collect(),
        },
    )
}

/// Five regions: a chain `north – middle – south – far`, plus `island` with no neighbours.
/// Lines count from 2 in CSV files (header on line 1) and from 1 in JSONL files.
fn records() -> ReferenceRecords {
    ReferenceRecords {
        regions: vec![
            region(2, "north", 53.2, 6.5),
            region(3, "middle", 52.1, 5.1),
            region(4, "south", 51.4, 5.5),
            region(5, "far", 50.9, 5.8),
            region(6, "island", 53.4, 5.7),
        ],
        adjacency: vec![
            adj(2, "north", "middle"),
            adj(3, "south", "middle"),
            adj(4, "south", "far"),
            adj(5, "middle", "north"), // the same border again, either way round
        ],
        sectors: vec![
            lined(
                2,
                SectorRecord {
                    code: "zorg".into(),
                    name: "Zorg".into(),
                },
            ),
            lined(
                3,
                SectorRecord {
                    code: "bouw".into(),
                    name: "Bouw".into(),
                },
            ),
        ],
        qualifications: vec![qual(2, "10001", "zorg", 2), qual(3, "10002", "bouw", 3)],
        outlook: vec![
            outlook(2, "zorg", "north", Some(5), Some(4)),
            outlook(3, "bouw", "north", None, Some(1)),
        ],
        employers: vec![
            employer(1, "E1", "north", &["10002", "10001", "10002"]),
            employer(2, "E2", "south", &[]),
        ],
    }
}

/// Builds, expecting failure.
fn build_errors(edit: impl FnOnce(&mut ReferenceRecords)) -> Vec<RecordError> {
    let mut recs = records();
    edit(&mut recs);
    match Reference::build(recs) {
        Ok(_) => panic!("invalid reference tables were accepted"),
        Err(errs) => errs,
    }
}

/// Exactly one error, in `table` on `line`, on `field`, whose reason contains `word`.
fn assert_only(errs: &[RecordError], table: Table, line: u64, field: &str, word: &str) {
    assert_eq!(errs.len(), 1, "expected one error: {errs:?}");
    let e = &errs[0];
    assert_eq!(
        (e.table, e.line, e.field.as_str()),
        (table, line, field),
        "{e:?}"
    );
    assert!(e.reason.contains(word), "reason lacks `{word}`: {e}");
}

#[test]
fn fixture_builds_and_links() {
    let r = Reference::build(records()).expect("valid");
    assert_eq!(r.regions.len(), 5);
    assert_eq!(r.region("south"), Some(RegionIdx(2)));
    assert_eq!(r.sector("bouw"), Some(SectorIdx(1)));
    assert_eq!(r.qualification("10002"), Some(QualIdx(1)));
    assert_eq!(r.qualifications[1].sector, SectorIdx(1));
    let e1 = &r.employers[r.employer("E1").unwrap().ix()];
    assert_eq!(
        e1.recognised_for,
        [QualIdx(0), QualIdx(1)],
        "sorted, unique"
    );
    assert!(e1.is_recognised_for(QualIdx(0)) && e1.is_recognised_for(QualIdx(1)));
    assert!(!r.employers[1].is_recognised_for(QualIdx(0)));
    let north = r.region("north").unwrap();
    let cell = r.outlook.get(SectorIdx(0), north);
    assert_eq!(cell.internship.map(|l| l.get()), Some(5));
    assert_eq!(cell.work.map(|l| l.get()), Some(4));
    assert_eq!(
        r.outlook.get(SectorIdx(0), RegionIdx(1)),
        OutlookCell::default(),
        "no row means unknown"
    );
}

#[test]
fn duplicate_region_code_names_the_first_line() {
    let errs = build_errors(|r| r.regions.push(region(7, "middle", 52.0, 5.0)));
    assert_only(&errs, Table::Regions, 7, "code", "first on line 3");
    assert_eq!(errs[0].record.as_deref(), Some("middle"));
}

#[test]
fn region_outside_the_netherlands_is_rejected() {
    let errs = build_errors(|r| r.regions.push(region(7, "paris", 48.85, 2.35)));
    assert_only(&errs, Table::Regions, 7, "lat", "outside the Netherlands");
}

#[test]
fn adjacency_with_unknown_region_is_rejected() {
    let errs = build_errors(|r| r.adjacency.push(adj(6, "north", "atlantis")));
    assert_only(
        &errs,
        Table::Adjacency,
        6,
        "b",
        "`atlantis` is not a region",
    );
    let errs = build_errors(|r| r.adjacency.push(adj(6, "atlantis", "north")));
    assert_only(
        &errs,
        Table::Adjacency,
        6,
        "a",
        "`atlantis` is not a region",
    );
}

#[test]
fn adjacency_self_loop_is_rejected() {
    let errs = build_errors(|r| r.adjacency.push(adj(6, "far", "far")));
    assert_only(&errs, Table::Adjacency, 6, "b", "cannot border itself");
}

#[test]
fn qualification_with_unknown_sector_is_rejected() {
    let errs = build_errors(|r| r.qualifications.push(qual(4, "10003", "ruimtevaart", 2)));
    assert_only(
        &errs,
        Table::Qualifications,
        4,
        "sector",
        "`ruimtevaart` is not a sector",
    );
    assert_eq!(errs[0].record.as_deref(), Some("10003"));
}

#[test]
fn qualification_level_must_be_1_to_4() {
    for bad in [0, 5, -1] {
        let errs = build_errors(|r| r.qualifications.push(qual(4, "10003", "zorg", bad)));
        assert_only(
            &errs,
            Table::Qualifications,
            4,
            "level",
            &format!("{bad} is not an mbo level 1..=4"),
        );
    }
}

#[test]
fn outlook_step_must_be_1_to_5() {
    let errs = build_errors(|r| r.outlook.push(outlook(4, "zorg", "south", Some(6), None)));
    assert_only(
        &errs,
        Table::Outlook,
        4,
        "internship",
        "6 is not an outlook step",
    );
    let errs = build_errors(|r| {
        r.outlook
            .push(outlook(4, "zorg", "south", Some(3), Some(0)))
    });
    assert_only(&errs, Table::Outlook, 4, "work", "0 is not an outlook step");
}

#[test]
fn outlook_with_unknown_sector_or_region_is_rejected() {
    let errs = build_errors(|r| r.outlook.push(outlook(4, "zorg", "atlantis", None, None)));
    assert_only(
        &errs,
        Table::Outlook,
        4,
        "region",
        "`atlantis` is not a region",
    );
    let errs = build_errors(|r| r.outlook.push(outlook(4, "kunst", "north", None, None)));
    assert_only(
        &errs,
        Table::Outlook,
        4,
        "sector",
        "`kunst` is not a sector",
    );
}

#[test]
fn duplicate_outlook_row_names_the_first_line() {
    let errs = build_errors(|r| r.outlook.push(outlook(4, "bouw", "north", Some(2), None)));
    assert_only(&errs, Table::Outlook, 4, "sector", "first on line 3");
}

#[test]
fn employer_recognised_for_unknown_crebo_is_rejected() {
    let errs = build_errors(|r| {
        r.employers
            .push(employer(3, "E3", "far", &["10001", "99999"]))
    });
    assert_only(
        &errs,
        Table::Employers,
        3,
        "recognised_for",
        "`99999` is not a qualification",
    );
    assert_eq!(errs[0].record.as_deref(), Some("E3"));
}

#[test]
fn names_of_every_reference_table_follow_the_text_rules() {
    let long = "n".repeat(201);
    // `island` has no borders, so refusing it causes no adjacency errors.
    let errs = build_errors(|r| r.regions[4].record.name = long.clone());
    assert_only(&errs, Table::Regions, 6, "name", "at most 200 allowed");
    let errs = build_errors(|r| r.regions[4].record.province = "Utrecht\u{202E}".into());
    assert_only(&errs, Table::Regions, 6, "province", "U+202E");
    let errs = build_errors(|r| r.regions[4].record.central_municipality = long.clone());
    assert_only(
        &errs,
        Table::Regions,
        6,
        "central_municipality",
        "at most 200",
    );
    // A refused sector or qualification also fails what refers to it; the first error is
    // the cause.
    let errs = build_errors(|r| r.sectors[0].record.name = "Zorg\u{0}".into());
    assert_only(&errs[..1], Table::Sectors, 2, "name", "U+0000");
    let errs = build_errors(|r| r.qualifications[0].record.name = long.clone());
    assert_only(&errs[..1], Table::Qualifications, 2, "name", "at most 200");
    let errs = build_errors(|r| r.employers[1].record.name = "E\u{200B}2".into());
    assert_only(&errs, Table::Employers, 2, "name", "U+200B");
    // A province and central municipality may be left empty; a name may not.
    let mut recs = records();
    recs.regions[0].record.province = String::new();
    recs.regions[0].record.central_municipality = String::new();
    assert!(Reference::build(recs).is_ok());
    let errs = build_errors(|r| r.sectors[0].record.name = " ".into());
    assert_only(&errs[..1], Table::Sectors, 2, "name", "must not be empty");
}

#[test]
fn recognised_for_has_a_bound() {
    let many = vec!["10001"; 501];
    let errs = build_errors(|r| r.employers.push(employer(3, "E3", "far", &many)));
    assert_only(
        &errs,
        Table::Employers,
        3,
        "recognised_for",
        "501 given, at most 500",
    );
    let errs = build_errors(|r| {
        r.employers.push(employer(3, "E3", "far", &[]));
        r.employers[2].record.id = "E".repeat(1 << 20);
    });
    assert_eq!(errs.len(), 1);
    assert!(errs[0].reason.len() < 300, "the id is not echoed in full");
}

#[test]
fn duplicate_employer_id_names_the_first_line() {
    let errs = build_errors(|r| r.employers.push(employer(3, "E2", "far", &[])));
    assert_only(&errs, Table::Employers, 3, "id", "first on line 2");
}

#[test]
fn every_error_in_every_table_is_reported() {
    let errs = build_errors(|r| {
        r.regions.push(region(7, "north", 53.0, 6.0));
        r.adjacency.push(adj(6, "far", "far"));
        r.qualifications.push(qual(4, "10003", "zorg", 0));
        r.outlook.push(outlook(4, "zorg", "south", Some(9), None));
        r.employers.push(employer(3, "E1", "far", &[]));
    });
    let got: Vec<_> = errs.iter().map(|e| (e.table, e.line)).collect();
    assert_eq!(
        got,
        [
            (Table::Regions, 7),
            (Table::Adjacency, 6),
            (Table::Qualifications, 4),
            (Table::Outlook, 4),
            (Table::Employers, 3),
        ],
        "{errs:?}"
    );
}

#[test]
fn hops_are_symmetric_and_zero_on_the_diagonal() {
    let r = Reference::build(records()).unwrap();
    let n = r.regions.len();
    for a in 0..n {
        let a = RegionIdx(a as u16);
        assert_eq!(r.hops(a, a), 0);
        for b in 0..n {
            let b = RegionIdx(b as u16);
            assert_eq!(r.hops(a, b), r.hops(b, a), "{a:?} {b:?}");
        }
    }
    let ix = |c: &str| r.region(c).unwrap();
    assert_eq!(r.hops(ix("north"), ix("middle")), 1);
    assert_eq!(r.hops(ix("north"), ix("south")), 2);
    assert_eq!(r.hops(ix("north"), ix("far")), 3);
    assert_eq!(r.hops(ix("north"), ix("island")), UNREACHABLE);
}

#[test]
fn neighbours_are_exactly_the_regions_one_hop_away() {
    let r = Reference::build(records()).unwrap();
    let n = r.regions.len();
    for a in 0..n {
        let a = RegionIdx(a as u16);
        let want: Vec<_> = (0..n)
            .map(|b| RegionIdx(b as u16))
            .filter(|&b| r.hops(a, b) == 1)
            .collect();
        assert_eq!(r.neighbours(a), want, "{a:?}");
    }
    let middle = r.region("middle").unwrap();
    assert_eq!(
        r.neighbours(middle),
        [r.region("north").unwrap(), r.region("south").unwrap()]
    );
    assert!(r.neighbours(r.region("island").unwrap()).is_empty());
}
