//! Pareto fronts: the points no other point beats on every objective.
//!
//! A point dominates another when it is at least as good on every
//! objective and strictly better on one. Points equal on every objective
//! do not dominate each other, so duplicates of a front point are all on
//! the front. Objectives are minimized; negate one to maximize it.

/// Indices (into `points`) of the non-dominated points, in input order.
/// Every point is a vector of objectives to minimize, all of one length;
/// points with a NaN objective are never on the front.
pub fn front(points: &[Vec<f64>]) -> Vec<usize> {
    let ok = |p: &Vec<f64>| p.iter().all(|v| !v.is_nan());
    (0..points.len())
        .filter(|&i| ok(&points[i]))
        .filter(|&i| {
            !points
                .iter()
                .enumerate()
                .any(|(j, q)| j != i && ok(q) && dominates(q, &points[i]))
        })
        .collect()
}

/// `a` dominates `b`: no worse on every objective, better on one.
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    let mut better = false;
    for (x, y) in a.iter().zip(b) {
        if x > y {
            return false;
        }
        if x < y {
            better = true;
        }
    }
    better
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_objectives_by_hand() {
        // (energy, -speed): a staircase with dominated points above it
        let p = vec![
            vec![1.0, -1.0], // 0: front (least energy)
            vec![2.0, -3.0], // 1: front
            vec![3.0, -2.0], // 2: dominated by 1
            vec![4.0, -5.0], // 3: front (fastest)
            vec![4.0, -4.0], // 4: dominated by 3
            vec![2.0, -3.0], // 5: equal to 1: front too
            vec![5.0, -5.0], // 6: dominated by 3 (same speed, more energy)
        ];
        assert_eq!(front(&p), vec![0, 1, 3, 5]);
    }

    #[test]
    fn three_objectives_by_hand() {
        // (J/token, -tokens/s, mm²)
        let p = vec![
            vec![1.0, -10.0, 4.0],      // 0: front (least energy)
            vec![2.0, -20.0, 2.0],      // 1: front
            vec![2.0, -20.0, 3.0],      // 2: dominated by 1 (more area)
            vec![3.0, -5.0, 1.0],       // 3: front (smallest)
            vec![3.0, -5.0, 1.5],       // 4: dominated by 3
            vec![9.0, -30.0, 9.0],      // 5: front (fastest)
            vec![f64::NAN, -99.0, 0.1], // 6: not comparable, never on the front
        ];
        assert_eq!(front(&p), vec![0, 1, 3, 5]);
        assert!(dominates(&p[1], &p[2]));
        assert!(!dominates(&p[0], &p[1]));
        assert!(!dominates(&p[1], &p[1]));
    }

    #[test]
    fn empty_and_single() {
        assert!(front(&[]).is_empty());
        assert_eq!(front(&[vec![1.0, 2.0]]), vec![0]);
    }
}
