//! Reference tables: regions and their neighbour graph, sectors, qualifications, employers and
//! the sector outlook. Built once from records and then read-only.

use crate::error::{FieldError, RecordError, Table};
use crate::model::enums::{Level, OutlookLevel};
use crate::model::geo::{GeoPoint, NL_BOUNDS};
use crate::model::ids::{EmployerId, EmployerIdx, QualIdx, RegionIdx, SectorIdx};
use crate::model::limits::{
    check_len, check_optional_text, check_text, id_problem, shown, MAX_NAME, MAX_RECOGNISED,
};
use crate::record::{
    AdjacencyRecord, EmployerRecord, OutlookRecord, QualificationRecord, RegionRecord, SectorRecord,
};
use crate::Lined;
use petgraph::graph::{NodeIndex, UnGraph};
use std::collections::HashMap;

/// A labour-market region.
#[derive(Clone, Debug)]
pub struct Region {
    /// Slug code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Province.
    pub province: String,
    /// Approximate centre.
    pub centre: GeoPoint,
    /// Central municipality.
    pub central_municipality: String,
}

/// A sector.
#[derive(Clone, Debug)]
pub struct Sector {
    /// Slug code.
    pub code: String,
    /// Display name.
    pub name: String,
}

/// An mbo qualification.
#[derive(Clone, Debug)]
pub struct Qualification {
    /// Crebo-like code.
    pub crebo: String,
    /// Display name.
    pub name: String,
    /// Sector.
    pub sector: SectorIdx,
    /// Level 1..=4.
    pub level: Level,
}

/// An employer.
#[derive(Clone, Debug)]
pub struct Employer {
    /// Id.
    pub id: EmployerId,
    /// Trade name.
    pub name: String,
    /// Region of the main site.
    pub region: RegionIdx,
    /// Qualifications it is a recognised learning company for, sorted.
    pub recognised_for: Vec<QualIdx>,
}

impl Employer {
    /// Whether the employer is a recognised learning company for `q`.
    #[inline]
    pub fn is_recognised_for(&self, q: QualIdx) -> bool {
        self.recognised_for.binary_search(&q).is_ok()
    }
}

/// Outlook for one sector in one region.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutlookCell {
    /// Chance of an internship or learn-work place.
    pub internship: Option<OutlookLevel>,
    /// Chance of work.
    pub work: Option<OutlookLevel>,
}

/// The sector-outlook table, dense over sector × region.
#[derive(Clone, Debug)]
pub struct Outlook {
    n_regions: usize,
    cells: Vec<OutlookCell>,
}

impl Outlook {
    /// An empty table ("nothing known") for the given sizes.
    pub fn unknown(n_sectors: usize, n_regions: usize) -> Outlook {
        Outlook {
            n_regions,
            cells: vec![OutlookCell::default(); n_sectors * n_regions],
        }
    }

    /// The cell for a sector in a region.
    #[inline]
    pub fn get(&self, s: SectorIdx, r: RegionIdx) -> OutlookCell {
        self.cells[s.ix() * self.n_regions + r.ix()]
    }

    /// Replaces a cell.
    pub fn set(&mut self, s: SectorIdx, r: RegionIdx, cell: OutlookCell) {
        self.cells[s.ix() * self.n_regions + r.ix()] = cell;
    }
}

/// All reference tables, validated and cross-referenced.
#[derive(Clone, Debug)]
pub struct Reference {
    /// Regions, in file order.
    pub regions: Vec<Region>,
    /// Sectors, in file order.
    pub sectors: Vec<Sector>,
    /// Qualifications, in file order.
    pub qualifications: Vec<Qualification>,
    /// Employers, in file order.
    pub employers: Vec<Employer>,
    /// Sector outlook.
    pub outlook: Outlook,
    graph: UnGraph<RegionIdx, ()>,
    hops: Vec<u8>,
    region_by_code: HashMap<String, RegionIdx>,
    sector_by_code: HashMap<String, SectorIdx>,
    qual_by_crebo: HashMap<String, QualIdx>,
    employer_by_id: HashMap<String, EmployerIdx>,
}

/// The raw reference records, each with its line number.
#[derive(Clone, Debug, Default)]
pub struct ReferenceRecords {
    /// `regions.csv`
    pub regions: Vec<Lined<RegionRecord>>,
    /// `region_adjacency.csv`
    pub adjacency: Vec<Lined<AdjacencyRecord>>,
    /// `sectors.csv`
    pub sectors: Vec<Lined<SectorRecord>>,
    /// `qualifications.csv`
    pub qualifications: Vec<Lined<QualificationRecord>>,
    /// `outlook.csv`
    pub outlook: Vec<Lined<OutlookRecord>>,
    /// `employers.jsonl`
    pub employers: Vec<Lined<EmployerRecord>>,
}

/// Hop count meaning "not connected".
pub const UNREACHABLE: u8 = u8::MAX;

pub(crate) fn check_code(field: &'static str, code: &str) -> Result<(), FieldError> {
    id_problem(code).map_or(Ok(()), |why| Err(FieldError::new(field, why)))
}

pub(crate) fn check_point(lat: f64, lon: f64) -> Result<GeoPoint, FieldError> {
    if !NL_BOUNDS.contains(lat, lon) {
        let field = if NL_BOUNDS.contains(lat, NL_BOUNDS.lon_min) {
            "lon"
        } else {
            "lat"
        };
        return Err(FieldError::new(
            field,
            format!(
                "({lat}, {lon}) lies outside the Netherlands (lat {}..{}, lon {}..{})",
                NL_BOUNDS.lat_min, NL_BOUNDS.lat_max, NL_BOUNDS.lon_min, NL_BOUNDS.lon_max
            ),
        ));
    }
    GeoPoint::new(lat, lon).ok_or_else(|| FieldError::new("lat", "not a coordinate"))
}

/// A name of a reference record: required text of at most [`MAX_NAME`] characters.
fn name(field: &'static str, s: &str) -> Result<(), FieldError> {
    check_text(field, s, MAX_NAME)
}

/// Collects errors of one table while building.
struct Sink<'e> {
    table: Table,
    errors: &'e mut Vec<RecordError>,
}

impl Sink<'_> {
    fn push(&mut self, line: u64, id: Option<&str>, e: FieldError) {
        self.errors.push(e.at(self.table, line, id));
    }

    /// Registers `code` in `map`, reporting a duplicate.
    fn unique<T: Copy>(
        &mut self,
        map: &mut HashMap<String, T>,
        first_line: &mut HashMap<String, u64>,
        line: u64,
        field: &'static str,
        code: &str,
        value: T,
    ) -> bool {
        if let Some(first) = first_line.get(code) {
            self.push(
                line,
                Some(code),
                FieldError::new(
                    field,
                    format!("duplicate {}, first on line {first}", shown(code)),
                ),
            );
            return false;
        }
        first_line.insert(code.to_owned(), line);
        map.insert(code.to_owned(), value);
        true
    }
}

impl Reference {
    /// Validates reference records and links them. Returns every problem found, not just the
    /// first; on error nothing is built.
    pub fn build(recs: ReferenceRecords) -> Result<Reference, Vec<RecordError>> {
        let mut errors = Vec::new();

        // Regions.
        let mut regions = Vec::new();
        let mut region_by_code = HashMap::new();
        let mut lines = HashMap::new();
        let mut sink = Sink {
            table: Table::Regions,
            errors: &mut errors,
        };
        for Lined { line, record: r } in recs.regions {
            let id = Some(r.code.as_str());
            let checked = check_code("code", &r.code)
                .and_then(|_| name("name", &r.name))
                .and_then(|_| check_optional_text("province", &r.province, MAX_NAME))
                .and_then(|_| {
                    check_optional_text("central_municipality", &r.central_municipality, MAX_NAME)
                })
                .and_then(|_| check_point(r.lat, r.lon));
            match checked {
                Err(e) => sink.push(line, id, e),
                Ok(centre) => {
                    let idx = RegionIdx(regions.len() as u16);
                    if sink.unique(&mut region_by_code, &mut lines, line, "code", &r.code, idx) {
                        regions.push(Region {
                            code: r.code,
                            name: r.name,
                            province: r.province,
                            centre,
                            central_municipality: r.central_municipality,
                        });
                    }
                }
            }
        }
        if regions.is_empty() && sink.errors.is_empty() {
            sink.push(
                0,
                None,
                FieldError::new("-", "no regions: the table is empty"),
            );
        }
        if regions.len() > u16::MAX as usize - 1 {
            sink.push(0, None, FieldError::new("-", "more than 65534 regions"));
        }

        // Adjacency.
        let mut graph = UnGraph::<RegionIdx, ()>::with_capacity(regions.len(), 0);
        for i in 0..regions.len() {
            graph.add_node(RegionIdx(i as u16));
        }
        let mut sink = Sink {
            table: Table::Adjacency,
            errors: &mut errors,
        };
        for Lined { line, record: a } in recs.adjacency {
            let find = |field: &'static str, code: &str| {
                region_by_code.get(code).copied().ok_or_else(|| {
                    FieldError::new(
                        field,
                        format!("{} is not a region in regions.csv", shown(code)),
                    )
                })
            };
            match (find("a", &a.a), find("b", &a.b)) {
                (Ok(x), Ok(y)) if x == y => sink.push(
                    line,
                    None,
                    FieldError::new("b", "a region cannot border itself"),
                ),
                (Ok(x), Ok(y)) => {
                    let (nx, ny) = (NodeIndex::new(x.ix()), NodeIndex::new(y.ix()));
                    if graph.find_edge(nx, ny).is_none() {
                        graph.add_edge(nx, ny, ());
                    }
                }
                (rx, ry) => {
                    for e in [rx.err(), ry.err()].into_iter().flatten() {
                        sink.push(line, None, e);
                    }
                }
            }
        }
        let hops = all_pairs_hops(&graph);

        // Sectors.
        let mut sectors = Vec::new();
        let mut sector_by_code = HashMap::new();
        let mut lines = HashMap::new();
        let mut sink = Sink {
            table: Table::Sectors,
            errors: &mut errors,
        };
        for Lined { line, record: s } in recs.sectors {
            let id = Some(s.code.as_str());
            match check_code("code", &s.code).and_then(|_| name("name", &s.name)) {
                Err(e) => sink.push(line, id, e),
                Ok(()) => {
                    let idx = SectorIdx(sectors.len() as u16);
                    if sink.unique(&mut sector_by_code, &mut lines, line, "code", &s.code, idx) {
                        sectors.push(Sector {
                            code: s.code,
                            name: s.name,
                        });
                    }
                }
            }
        }

        // Qualifications.
        let mut qualifications = Vec::new();
        let mut qual_by_crebo = HashMap::new();
        let mut lines = HashMap::new();
        let mut sink = Sink {
            table: Table::Qualifications,
            errors: &mut errors,
        };
        for Lined { line, record: q } in recs.qualifications {
            let id = Some(q.crebo.as_str());
            let checked = check_code("crebo", &q.crebo)
                .and_then(|_| name("name", &q.name))
                .and_then(|_| {
                    sector_by_code.get(&q.sector).copied().ok_or_else(|| {
                        FieldError::new(
                            "sector",
                            format!("{} is not a sector in sectors.csv", shown(&q.sector)),
                        )
                    })
                })
                .and_then(|sector| {
                    let level = u8::try_from(q.level)
                        .ok()
                        .filter(|l| (1..=4).contains(l))
                        .and_then(Level::new)
                        .ok_or_else(|| {
                            FieldError::new(
                                "level",
                                format!("{} is not an mbo level 1..=4", q.level),
                            )
                        })?;
                    Ok((sector, level))
                });
            match checked {
                Err(e) => sink.push(line, id, e),
                Ok((sector, level)) => {
                    let idx = QualIdx(qualifications.len() as u16);
                    if sink.unique(&mut qual_by_crebo, &mut lines, line, "crebo", &q.crebo, idx) {
                        qualifications.push(Qualification {
                            crebo: q.crebo,
                            name: q.name,
                            sector,
                            level,
                        });
                    }
                }
            }
        }

        // Outlook.
        let outlook = build_outlook(
            recs.outlook,
            &sector_by_code,
            &region_by_code,
            sectors.len(),
            regions.len(),
            &mut errors,
        );

        // Employers.
        let mut employers = Vec::new();
        let mut employer_by_id = HashMap::new();
        let mut lines = HashMap::new();
        let mut sink = Sink {
            table: Table::Employers,
            errors: &mut errors,
        };
        for Lined { line, record: e } in recs.employers {
            let id = Some(e.id.as_str());
            let checked = check_code("id", &e.id)
                .and_then(|_| name("name", &e.name))
                .and_then(|_| {
                    region_by_code.get(&e.region).copied().ok_or_else(|| {
                        FieldError::new(
                            "region",
                            format!("{} is not a region in regions.csv", shown(&e.region)),
                        )
                    })
                })
                .and_then(|region| {
                    check_len("recognised_for", e.recognised_for.len(), MAX_RECOGNISED)?;
                    let mut quals = Vec::with_capacity(e.recognised_for.len());
                    for c in &e.recognised_for {
                        let q = qual_by_crebo.get(c).copied().ok_or_else(|| {
                            FieldError::new(
                                "recognised_for",
                                format!(
                                    "{} is not a qualification in qualifications.csv",
                                    shown(c)
                                ),
                            )
                        })?;
                        quals.push(q);
                    }
                    quals.sort_unstable();
                    quals.dedup();
                    Ok((region, quals))
                });
            match checked {
                Err(err) => sink.push(line, id, err),
                Ok((region, recognised_for)) => {
                    let idx = EmployerIdx(employers.len() as u32);
                    if sink.unique(&mut employer_by_id, &mut lines, line, "id", &e.id, idx) {
                        employers.push(Employer {
                            id: EmployerId(e.id),
                            name: e.name,
                            region,
                            recognised_for,
                        });
                    }
                }
            }
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Reference {
            regions,
            sectors,
            qualifications,
            employers,
            outlook,
            graph,
            hops,
            region_by_code,
            sector_by_code,
            qual_by_crebo,
            employer_by_id,
        })
    }

    /// Region by code.
    pub fn region(&self, code: &str) -> Option<RegionIdx> {
        self.region_by_code.get(code).copied()
    }

    /// Sector by code.
    pub fn sector(&self, code: &str) -> Option<SectorIdx> {
        self.sector_by_code.get(code).copied()
    }

    /// Qualification by crebo code.
    pub fn qualification(&self, crebo: &str) -> Option<QualIdx> {
        self.qual_by_crebo.get(crebo).copied()
    }

    /// Employer by id.
    pub fn employer(&self, id: &str) -> Option<EmployerIdx> {
        self.employer_by_id.get(id).copied()
    }

    /// Number of neighbour steps between two regions ([`UNREACHABLE`] when not connected).
    #[inline]
    pub fn hops(&self, from: RegionIdx, to: RegionIdx) -> u8 {
        self.hops[from.ix() * self.regions.len() + to.ix()]
    }

    /// Direct neighbours of a region.
    pub fn neighbours(&self, r: RegionIdx) -> Vec<RegionIdx> {
        let mut v: Vec<_> = self
            .graph
            .neighbors(NodeIndex::new(r.ix()))
            .map(|n| self.graph[n])
            .collect();
        v.sort_unstable();
        v
    }

    /// Validates a new outlook table against this reference's sectors and regions; every
    /// problem with its line (1-based position) or the table.
    pub fn outlook_from(
        &self,
        records: Vec<Lined<OutlookRecord>>,
    ) -> Result<Outlook, Vec<RecordError>> {
        let mut errors = Vec::new();
        let outlook = build_outlook(
            records,
            &self.sector_by_code,
            &self.region_by_code,
            self.sectors.len(),
            self.regions.len(),
            &mut errors,
        );
        if errors.is_empty() {
            Ok(outlook)
        } else {
            Err(errors)
        }
    }

    /// Replaces the outlook table (sizes must match this reference).
    pub fn set_outlook(&mut self, outlook: Outlook) {
        assert_eq!(outlook.cells.len(), self.sectors.len() * self.regions.len());
        self.outlook = outlook;
    }
}

/// Validates outlook records against the sector and region codes; problems go to `errors`.
fn build_outlook(
    records: Vec<Lined<OutlookRecord>>,
    sector_by_code: &HashMap<String, SectorIdx>,
    region_by_code: &HashMap<String, RegionIdx>,
    n_sectors: usize,
    n_regions: usize,
    errors: &mut Vec<RecordError>,
) -> Outlook {
    let mut outlook = Outlook::unknown(n_sectors, n_regions);
    let mut seen: HashMap<(SectorIdx, RegionIdx), u64> = HashMap::new();
    let mut sink = Sink {
        table: Table::Outlook,
        errors,
    };
    for Lined { line, record: o } in records {
        let level = |field: &'static str, v: Option<i64>| -> Result<_, FieldError> {
            match v {
                None => Ok(None),
                Some(n) => u8::try_from(n)
                    .ok()
                    .and_then(OutlookLevel::new)
                    .map(Some)
                    .ok_or_else(|| {
                        FieldError::new(field, format!("{n} is not an outlook step 1..=5"))
                    }),
            }
        };
        let s = sector_by_code.get(&o.sector).copied().ok_or_else(|| {
            FieldError::new(
                "sector",
                format!("{} is not a sector in sectors.csv", shown(&o.sector)),
            )
        });
        let r = region_by_code.get(&o.region).copied().ok_or_else(|| {
            FieldError::new(
                "region",
                format!("{} is not a region in regions.csv", shown(&o.region)),
            )
        });
        let (i, w) = (level("internship", o.internship), level("work", o.work));
        match (s, r, i, w) {
            (Ok(s), Ok(r), Ok(internship), Ok(work)) => {
                if let Some(first) = seen.insert((s, r), line) {
                    sink.push(
                        line,
                        None,
                        FieldError::new(
                            "sector",
                            format!(
                                "duplicate row for sector `{}` in region `{}`, first on line {first}",
                                o.sector, o.region
                            ),
                        ),
                    );
                } else {
                    outlook.set(s, r, OutlookCell { internship, work });
                }
            }
            (s, r, i, w) => {
                for e in [s.err(), r.err(), i.err(), w.err()].into_iter().flatten() {
                    sink.push(line, None, e);
                }
            }
        }
    }
    outlook
}

/// Breadth-first hop counts between every pair of regions.
fn all_pairs_hops(graph: &UnGraph<RegionIdx, ()>) -> Vec<u8> {
    let n = graph.node_count();
    let mut hops = vec![UNREACHABLE; n * n];
    for start in graph.node_indices() {
        let dist = petgraph::algo::dijkstra(graph, start, None, |_| 1u32);
        for (node, d) in dist {
            hops[start.index() * n + node.index()] = d.min(UNREACHABLE as u32 - 1) as u8;
        }
    }
    hops
}

#[cfg(test)]
mod tests;
