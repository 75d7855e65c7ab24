//! The plain reference every datapath is checked against.

/// `C = A · W` in i64: `a` is `m x k` row-major, `w` is `k x n` row-major,
/// the result `m x n` row-major.
///
/// # Panics
/// When the slice lengths do not match the shapes.
pub fn matmul_ref(a: &[i64], w: &[i64], m: usize, k: usize, n: usize) -> Vec<i64> {
    assert_eq!(a.len(), m * k, "A is not {m}x{k}");
    assert_eq!(w.len(), k * n, "W is not {k}x{n}");
    let mut c = vec![0i64; m * n];
    for i in 0..m {
        for p in 0..k {
            let x = a[i * k + p];
            if x == 0 {
                continue;
            }
            for j in 0..n {
                c[i * n + j] += x * w[p * n + j];
            }
        }
    }
    c
}

/// A dot product.
pub fn dot(a: &[i64], b: &[i64]) -> i64 {
    assert_eq!(a.len(), b.len(), "dot of different lengths");
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `C = A · W` in f64, same layout as [`matmul_ref`].
pub fn matmul_f64(a: &[f64], w: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    assert_eq!(a.len(), m * k, "A is not {m}x{k}");
    assert_eq!(w.len(), k * n, "W is not {k}x{n}");
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for p in 0..k {
            let x = a[i * k + p];
            for j in 0..n {
                c[i * n + j] += x * w[p * n + j];
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small() {
        // [1 2; 3 4] x [5 6; 7 8] = [19 22; 43 50]
        assert_eq!(
            matmul_ref(&[1, 2, 3, 4], &[5, 6, 7, 8], 2, 2, 2),
            vec![19, 22, 43, 50]
        );
    }
}
