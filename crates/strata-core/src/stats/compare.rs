//! Is one sample of durations really different from another? The Mann–Whitney U test (no
//! assumption about the shape of the distributions, which for CI durations are skewed and
//! often bimodal), with the normal approximation, tie correction and continuity correction.

/// The test's result for samples `a` and `b`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MannWhitney {
    /// U of the first sample: how often a value of `a` exceeds one of `b` (ties count half).
    pub u_a: f64,
    /// The smaller of the two U statistics (what tables list).
    pub u: f64,
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Probability that a random value of `a` exceeds one of `b` (0.5: no difference).
    pub effect: f64,
}

/// `None` when either sample is empty or every value is tied.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> Option<MannWhitney> {
    mann_whitney_with(a, b, true)
}

pub fn mann_whitney_with(a: &[f64], b: &[f64], continuity: bool) -> Option<MannWhitney> {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let mut all: Vec<(f64, bool)> = a
        .iter()
        .map(|v| (*v, true))
        .chain(b.iter().map(|v| (*v, false)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = all.len();
    let mut rank_sum_a = 0.0;
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their average.
        let average = (i + j + 2) as f64 / 2.0;
        let ties = (j - i + 1) as f64;
        tie_term += ties * ties * ties - ties;
        rank_sum_a += average * all[i..=j].iter().filter(|(_, from_a)| *from_a).count() as f64;
        i = j + 1;
    }
    let u_a = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    let u_b = n1 * n2 - u_a;
    let total = n1 + n2;
    let variance = n1 * n2 / 12.0 * ((total + 1.0) - tie_term / (total * (total - 1.0)));
    if variance <= 0.0 {
        return None;
    }
    let mean = n1 * n2 / 2.0;
    let deviation = (u_a - mean).abs();
    let corrected = if continuity {
        (deviation - 0.5).max(0.0)
    } else {
        deviation
    };
    let z = corrected / variance.sqrt() * (u_a - mean).signum();
    Some(MannWhitney {
        u_a,
        u: u_a.min(u_b),
        z,
        p_value: (2.0 * (1.0 - normal_cdf(z.abs()))).clamp(0.0, 1.0),
        effect: u_a / (n1 * n2),
    })
}

/// The standard normal distribution function.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Complementary error function, fractional error below 1.2e-7 (Chebyshev fit from
/// Numerical Recipes, `erfcc`).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let result = t * poly.exp();
    if x >= 0.0 { result } else { 2.0 - result }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SciPy's documentation example for `mannwhitneyu` (males against females): U1 = 17,
    /// asymptotic p = 0.11134688653314041 with continuity correction and
    /// 0.0864107329737 without.
    #[test]
    fn matches_the_scipy_documentation_example() {
        let males = [19.0, 22.0, 16.0, 29.0, 24.0];
        let females = [20.0, 11.0, 17.0, 12.0];
        let r = mann_whitney(&males, &females).unwrap();
        assert_eq!(r.u_a, 17.0);
        assert_eq!(r.u, 3.0);
        assert!(
            (r.p_value - 0.111_346_886_533).abs() < 1e-6,
            "{}",
            r.p_value
        );
        let plain = mann_whitney_with(&males, &females, false).unwrap();
        assert!(
            (plain.p_value - 0.086_410_732_973_7).abs() < 1e-6,
            "{}",
            plain.p_value
        );
    }

    /// The tortoise-and-hare example on Wikipedia's "Mann–Whitney U test" page: finishing
    /// order T H H H H H T T T T T H, so U = 11 for the hares and 25 for the tortoises.
    #[test]
    fn matches_the_tortoise_and_hare_example() {
        let order = "THHHHHTTTTTH";
        let tortoises: Vec<f64> = order
            .chars()
            .enumerate()
            .filter(|(_, c)| *c == 'T')
            .map(|(i, _)| i as f64)
            .collect();
        let hares: Vec<f64> = order
            .chars()
            .enumerate()
            .filter(|(_, c)| *c == 'H')
            .map(|(i, _)| i as f64)
            .collect();
        let r = mann_whitney(&hares, &tortoises).unwrap();
        assert_eq!((r.u_a, r.u), (11.0, 11.0));
        assert_eq!(mann_whitney(&tortoises, &hares).unwrap().u_a, 25.0);
    }

    #[test]
    fn handles_ties_and_degenerate_samples() {
        // Hand-worked: a = [1, 2, 2], b = [2, 3]; ranks 1, 3, 3 | 3, 5 → R_a = 7, U_a = 1.
        let r = mann_whitney(&[1.0, 2.0, 2.0], &[2.0, 3.0]).unwrap();
        assert_eq!(r.u_a, 1.0);
        assert!(mann_whitney(&[], &[1.0]).is_none());
        assert!(
            mann_whitney(&[5.0, 5.0], &[5.0]).is_none(),
            "all tied: no variance"
        );
        let far = mann_whitney(
            &[100.0; 30]
                .iter()
                .enumerate()
                .map(|(i, v)| v + i as f64)
                .collect::<Vec<_>>(),
            &(0..30).map(f64::from).collect::<Vec<_>>(),
        )
        .unwrap();
        assert!(far.p_value < 1e-6 && far.effect == 1.0);
    }

    #[test]
    fn normal_cdf_matches_tables() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_963_985) - 0.975).abs() < 1e-7);
        assert!((normal_cdf(-1.0) - 0.158_655_254).abs() < 1e-7);
    }
}
