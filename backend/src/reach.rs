//! Reach sketches: HyperLogLog registers that let the read side count distinct members over any
//! date range and any set of campaigns without storing a member id (docs/metrics.md, "Reach").
//!
//! The hash is the first 64 bits of MD5 of the CRM member id, big-endian. The top [`PRECISION`]
//! bits pick the register; the rank is one plus the number of leading zeros of the remaining
//! 49 bits. The warehouse computes the same registers in SQL (`md5()`), so member ids never
//! leave it. The estimate is Ertl's improved raw estimator (arXiv:1702.01284), which has no
//! bias correction tables and stays accurate from one member to billions.

use md5::{Digest, Md5};

/// Bits of the hash that choose a register.
pub const PRECISION: u32 = 15;
/// Number of registers.
pub const REGISTERS: usize = 1 << PRECISION;
/// Bits left for the rank.
const RANK_BITS: u32 = 64 - PRECISION;
/// Largest rank a register can hold.
pub const MAX_RANK: u8 = RANK_BITS as u8 + 1;
/// Relative standard error of an estimate: 1.04 / sqrt(registers).
pub const STANDARD_ERROR: f64 = 0.005_745;

const SPARSE: u8 = 1;
const DENSE: u8 = 2;

/// A bytes value that is not a sketch this build wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("corrupt reach sketch: {0}; rebuild the dashboard database with `outreach-etl run --full`")]
pub struct CorruptSketch(&'static str);

/// The register and rank of one member id.
pub fn register_of(member_id: &str) -> (u16, u8) {
    let digest = Md5::digest(member_id.as_bytes());
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    let hash = u64::from_be_bytes(head);
    let register = (hash >> RANK_BITS) as u16;
    let rest = hash & ((1u64 << RANK_BITS) - 1);
    let rank = if rest == 0 {
        MAX_RANK
    } else {
        (rest.leading_zeros() - PRECISION + 1) as u8
    };
    (register, rank)
}

/// A HyperLogLog sketch of a set of members.
#[derive(Clone, PartialEq, Eq)]
pub struct Sketch {
    ranks: Box<[u8]>,
}

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sketch")
            .field("filled_registers", &self.filled())
            .finish()
    }
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch {
            ranks: vec![0; REGISTERS].into_boxed_slice(),
        }
    }
}

impl Sketch {
    /// Adds one member.
    pub fn insert(&mut self, member_id: &str) {
        let (register, rank) = register_of(member_id);
        self.observe(register, rank);
    }

    /// Raises one register to `rank` (registers keep their maximum).
    pub fn observe(&mut self, register: u16, rank: u8) {
        let slot = &mut self.ranks[usize::from(register) % REGISTERS];
        *slot = (*slot).max(rank.min(MAX_RANK));
    }

    /// Adds every member of `other` (the union of the two sets).
    pub fn merge(&mut self, other: &Sketch) {
        for (mine, theirs) in self.ranks.iter_mut().zip(other.ranks.iter()) {
            *mine = (*mine).max(*theirs);
        }
    }

    /// Number of registers that are not zero.
    pub fn filled(&self) -> usize {
        self.ranks.iter().filter(|rank| **rank > 0).count()
    }

    /// The estimated number of distinct members.
    pub fn estimate(&self) -> f64 {
        ertl_estimate(&histogram_of(&self.ranks))
    }

    /// The estimate rounded to a whole number of members.
    pub fn count(&self) -> u64 {
        self.estimate().round() as u64
    }

    /// The stored form: sparse (register, rank) pairs when that is smaller, else every rank.
    pub fn to_bytes(&self) -> Vec<u8> {
        let filled = self.filled();
        if filled * 3 < REGISTERS {
            let mut bytes = Vec::with_capacity(1 + filled * 3);
            bytes.push(SPARSE);
            for (register, rank) in self.ranks.iter().enumerate().filter(|(_, r)| **r > 0) {
                bytes.extend_from_slice(&(register as u16).to_be_bytes());
                bytes.push(*rank);
            }
            bytes
        } else {
            let mut bytes = Vec::with_capacity(1 + REGISTERS);
            bytes.push(DENSE);
            bytes.extend_from_slice(&self.ranks);
            bytes
        }
    }

    /// Reads the stored form back.
    pub fn from_bytes(bytes: &[u8]) -> Result<Sketch, CorruptSketch> {
        let mut sketch = Sketch::default();
        sketch.merge_bytes(bytes)?;
        Ok(sketch)
    }

    /// Adds every member of a stored sketch without expanding it first: a sparse sketch of a
    /// few hundred members costs a few hundred steps, not one per register.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<(), CorruptSketch> {
        let ranks = &mut self.ranks;
        for_each_register(bytes, |register, rank| {
            let slot = &mut ranks[register];
            *slot = (*slot).max(rank);
        })
    }
}

/// The histogram of `ranks`: how many registers hold each rank.
fn histogram_of(ranks: &[u8]) -> [u32; 64] {
    let mut histogram = [0u32; 64];
    for rank in ranks {
        histogram[usize::from(*rank).min(63)] += 1;
    }
    histogram
}

/// Ertl's improved raw estimate of the number of distinct members behind registers whose ranks
/// have `histogram`, of [`REGISTERS`] registers.
fn ertl_estimate(histogram: &[u32; 64]) -> f64 {
    let m = REGISTERS as f64;
    let q = usize::from(MAX_RANK) - 1;
    let mut z = m * tau(1.0 - f64::from(histogram[q + 1]) / m);
    for k in (1..=q).rev() {
        z = 0.5 * (z + f64::from(histogram[k]));
    }
    z += m * sigma(f64::from(histogram[0]) / m);
    let alpha_infinity = 1.0 / (2.0 * std::f64::consts::LN_2);
    if z.is_infinite() {
        return 0.0;
    }
    alpha_infinity * m * m / z
}

/// Calls `each(register, rank)` for every filled register of a stored sketch.
fn for_each_register(bytes: &[u8], mut each: impl FnMut(usize, u8)) -> Result<(), CorruptSketch> {
    match bytes.split_first() {
        Some((&SPARSE, pairs)) => {
            if pairs.len() % 3 != 0 {
                return Err(CorruptSketch("sparse sketch with a partial register"));
            }
            for pair in pairs.chunks_exact(3) {
                let register = u16::from_be_bytes([pair[0], pair[1]]);
                if usize::from(register) >= REGISTERS || pair[2] > MAX_RANK {
                    return Err(CorruptSketch("register or rank out of range"));
                }
                each(usize::from(register), pair[2]);
            }
        }
        Some((&DENSE, ranks)) => {
            if ranks.len() != REGISTERS || ranks.iter().any(|r| *r > MAX_RANK) {
                return Err(CorruptSketch("dense sketch of the wrong size"));
            }
            for (register, rank) in ranks.iter().enumerate().filter(|(_, r)| **r > 0) {
                each(register, *rank);
            }
        }
        _ => return Err(CorruptSketch("unknown format")),
    }
    Ok(())
}

/// A union of stored sketches merged one after another whose estimate is read after each
/// merge (a campaign's reach until each of its days): the ranks' histogram is kept as ranks
/// rise, so an estimate costs fifty steps, not one per register.
#[derive(Debug, Clone)]
pub struct RunningUnion {
    sketch: Sketch,
    histogram: [u32; 64],
}

impl Default for RunningUnion {
    fn default() -> Self {
        let mut histogram = [0u32; 64];
        histogram[0] = REGISTERS as u32;
        RunningUnion {
            sketch: Sketch::default(),
            histogram,
        }
    }
}

impl RunningUnion {
    /// Adds every member of a stored sketch.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<(), CorruptSketch> {
        let Self { sketch, histogram } = self;
        for_each_register(bytes, |register, rank| {
            let slot = &mut sketch.ranks[register];
            if rank > *slot {
                histogram[usize::from(*slot)] -= 1;
                histogram[usize::from(rank)] += 1;
                *slot = rank;
            }
        })
    }

    /// The estimate rounded to a whole number of members: what [`Sketch::count`] gives for
    /// the union.
    pub fn count(&self) -> u64 {
        ertl_estimate(&self.histogram).round() as u64
    }

    /// The union.
    pub fn sketch(&self) -> &Sketch {
        &self.sketch
    }
}

/// Ertl's sigma function (the correction for empty registers).
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let previous = z;
        z += x * y;
        y += y;
        if z == previous {
            return z;
        }
    }
}

/// Ertl's tau function (the correction for saturated registers).
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let previous = z;
        y *= 0.5;
        z -= (1.0 - x).powi(2) * y;
        if z == previous {
            return z / 3.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sketch_of(range: std::ops::Range<u32>) -> Sketch {
        let mut sketch = Sketch::default();
        for id in range {
            sketch.insert(&format!("M{id:09}"));
        }
        sketch
    }

    #[test]
    fn empty_sketch_counts_zero() {
        assert_eq!(Sketch::default().count(), 0);
    }

    #[test]
    fn small_sets_are_counted_almost_exactly() {
        for n in [1u32, 2, 10, 100, 1000] {
            let count = sketch_of(0..n).count() as f64;
            // Small sets err only by register collisions: a handful at most.
            assert!(
                (count - f64::from(n)).abs() <= (f64::from(n) * 0.02).max(2.0),
                "{n}: {count}"
            );
        }
    }

    #[test]
    fn large_sets_are_within_three_standard_errors() {
        for n in [20_000u32, 150_000, 600_000] {
            let count = sketch_of(0..n).estimate();
            let error = (count - f64::from(n)).abs() / f64::from(n);
            assert!(error < 3.0 * STANDARD_ERROR, "{n}: {count} ({error})");
        }
    }

    #[test]
    fn merge_is_the_union_and_repeats_do_not_count() {
        let mut left = sketch_of(0..30_000);
        let right = sketch_of(20_000..50_000);
        left.merge(&right);
        left.merge(&right);
        let error = (left.estimate() - 50_000.0).abs() / 50_000.0;
        assert!(error < 3.0 * STANDARD_ERROR, "{error}");
        assert_eq!(left, {
            let mut all = sketch_of(0..50_000);
            all.merge(&Sketch::default());
            all
        });
    }

    #[test]
    fn merging_stored_forms_is_merging_sketches() {
        for (mine, theirs) in [
            (0..50, 30..90),
            (0..20_000, 10_000..40_000),
            (0..10, 0..30_000),
        ] {
            let mut expected = sketch_of(mine.clone());
            expected.merge(&sketch_of(theirs.clone()));
            let mut merged = sketch_of(mine);
            merged
                .merge_bytes(&sketch_of(theirs).to_bytes())
                .expect("a stored sketch");
            assert_eq!(merged, expected);
        }
    }

    #[test]
    fn stored_forms_round_trip() {
        for n in [0u32, 5, 5_000, 200_000] {
            let sketch = sketch_of(0..n);
            let bytes = sketch.to_bytes();
            assert_eq!(Sketch::from_bytes(&bytes), Ok(sketch), "{n}");
        }
        assert_eq!(sketch_of(0..5).to_bytes().len(), 1 + 5 * 3);
        assert_eq!(sketch_of(0..200_000).to_bytes().len(), 1 + REGISTERS);
    }

    #[test]
    fn corrupt_bytes_are_refused_with_advice() {
        for bad in [
            &[][..],
            &[9u8][..],
            &[SPARSE, 0, 1][..],
            &[DENSE, 1, 2][..],
            &[SPARSE, 0xff, 0xff, 3][..],
        ] {
            let err = Sketch::from_bytes(bad).expect_err("corrupt");
            assert!(err.to_string().contains("--full"));
        }
    }

    #[test]
    fn a_running_union_counts_as_the_merged_sketch_does() {
        let mut running = RunningUnion::default();
        let mut merged = Sketch::default();
        assert_eq!(running.count(), 0);
        for part in [0..40u32, 20..3_000, 2_000..90_000, 0..5, 89_990..100_000] {
            let stored = sketch_of(part).to_bytes();
            running.merge_bytes(&stored).expect("a stored sketch");
            merged.merge_bytes(&stored).expect("a stored sketch");
            assert_eq!(running.count(), merged.count());
            assert_eq!(running.sketch(), &merged);
        }
        let err = running
            .merge_bytes(&[9])
            .expect_err("a damaged sketch is refused");
        assert!(err.to_string().contains("corrupt reach sketch"), "{err}");
        assert_eq!(running.count(), merged.count(), "and changes nothing");
    }

    #[test]
    fn register_matches_the_documented_bits() {
        // Worked out independently with Python's hashlib: top 15 bits of md5 = 21479, and the
        // remaining 49 bits start with one zero.
        assert_eq!(register_of("M000000001"), (21479, 2));
    }
}
