//! Sweeps on a real Slurm cluster: runs `scripts/slurm-test`, which starts
//! MUNGE, slurmctld and slurmd on localhost in a temporary directory,
//! submits a sweep's array job written by `onebit sweep --slurm`, checks
//! the merge against the unsharded run byte for byte, kills a task
//! mid-run and checks that its resubmission resumes and completes. Fails
//! (never skips) where Slurm or MUNGE is missing or the test is not root,
//! with the install hint.

use std::process::Command;

#[test]
fn sweep_runs_on_a_real_slurm_cluster() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/slurm-test");
    let out = Command::new("bash")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_onebit"))
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "scripts/slurm-test failed (install Slurm and MUNGE as root with `apt-get install -y slurm-wlm munge`, or run scripts/setup):\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("slurm-test: PASS"), "{stdout}");
    assert!(stdout.contains("resumed: "), "{stdout}");
}
