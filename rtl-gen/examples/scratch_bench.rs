fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arch = sim::arch::preset(&args[1]).expect("arch");
    let mut o = rtl_gen::CheckOptions::default();
    o.work = Some(args[2].clone().into());
    o.vectors = 256;
    let cycles: u64 = args[3].parse().unwrap();
    o.opt = args.get(4).cloned().unwrap_or("-O1".into());
    let t = std::time::Instant::now();
    match rtl_gen::check::bench(&arch, cycles, &o) {
        Ok(r) => print!("{}", r.summary()),
        Err(e) => println!("ERROR {e}"),
    }
    println!("total {:.1}s", t.elapsed().as_secs_f64());
}
