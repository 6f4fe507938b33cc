//! A small deterministic generator (SplitMix64). The demo needs repeatable variety and
//! the forecast's simulation needs the same numbers from the same data; neither needs
//! cryptographic randomness, and this is ten lines instead of a dependency.

#[derive(Clone, Debug)]
pub struct Dice(pub u64);

impl Dice {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number from 0 to `n - 1` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        self.next() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_rolls_the_same_numbers() {
        let (mut a, mut b) = (Dice(7), Dice(7));
        let rolls: Vec<_> = (0..5).map(|_| a.next()).collect();
        assert_eq!(rolls, (0..5).map(|_| b.next()).collect::<Vec<_>>());
        assert_ne!(rolls[0], rolls[1]);
    }

    #[test]
    fn units_stay_below_one_and_spread_evenly() {
        let mut d = Dice(1);
        let draws: Vec<f64> = (0..10_000).map(|_| d.unit()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        let below_half = draws.iter().filter(|u| **u < 0.5).count();
        assert!((4_800..5_200).contains(&below_half), "{below_half}");
    }
}
