//! A Ballista cluster of `losslab-ballista` processes on 127.0.0.1: one
//! scheduler and some executors, on ports the system reports free, each
//! process's output in a log file; dropping the cluster kills and reaps
//! every process (also when a test panics).

use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_losslab-ballista");
const HOST: &str = "127.0.0.1";
/// How long a process may take to start listening (a loaded CI machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// One started process: the child, its name and its log.
struct Process {
    name: String,
    child: Child,
    log: PathBuf,
}

/// The running cluster.
pub struct Cluster {
    processes: Vec<Process>,
    pub scheduler_port: u16,
    /// Each executor's work dir (where its shuffle files go).
    pub executor_dirs: Vec<PathBuf>,
}

/// `n` distinct ports that were free a moment ago: each is bound on
/// 127.0.0.1 with port 0 (the system picks) and released together.
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind((HOST, 0)).expect("bind a free port"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("local addr").port())
        .collect()
}

impl Cluster {
    /// Starts a scheduler and `executors` executors of `vcores` task slots,
    /// logs and work dirs under `root`, and waits until all listen.
    pub fn start(root: &Path, executors: usize, vcores: usize) -> Cluster {
        std::fs::create_dir_all(root).expect("cluster dir");
        let ports = free_ports(1 + 2 * executors);
        let mut cluster = Cluster {
            processes: Vec::new(),
            scheduler_port: ports[0],
            executor_dirs: Vec::new(),
        };
        let scheduler_port = ports[0].to_string();
        cluster.spawn(
            root,
            "scheduler",
            &["scheduler", "--host", HOST, "--port", &scheduler_port],
        );
        cluster.wait_listening(0, ports[0]);
        for e in 0..executors {
            let (flight, grpc) = (ports[1 + 2 * e], ports[2 + 2 * e]);
            let work_dir = root.join(format!("executor-{e}-work"));
            cluster.spawn(
                root,
                &format!("executor-{e}"),
                &[
                    "executor",
                    "--host",
                    HOST,
                    "--flight-port",
                    &flight.to_string(),
                    "--grpc-port",
                    &grpc.to_string(),
                    "--scheduler-host",
                    HOST,
                    "--scheduler-port",
                    &scheduler_port,
                    "--vcores",
                    &vcores.to_string(),
                    "--work-dir",
                    work_dir.to_str().expect("UTF-8 temp dir"),
                ],
            );
            cluster.executor_dirs.push(work_dir);
            let index = cluster.processes.len() - 1;
            cluster.wait_listening(index, flight);
            cluster.wait_listening(index, grpc);
        }
        cluster
    }

    fn spawn(&mut self, root: &Path, name: &str, args: &[&str]) {
        let log = root.join(format!("{name}.log"));
        let out = File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = Command::new(BINARY)
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {BINARY} {name}: {e}"));
        self.processes.push(Process {
            name: name.to_string(),
            child,
            log,
        });
    }

    /// Waits until process `index` accepts connections on `port`; panics
    /// with its log if it exits or does not listen in time.
    fn wait_listening(&mut self, index: usize, port: u16) {
        let start = Instant::now();
        loop {
            if TcpStream::connect((HOST, port)).is_ok() {
                return;
            }
            let exited = self.processes[index].child.try_wait().expect("try_wait");
            if exited.is_some() || start.elapsed() > START_TIMEOUT {
                panic!(
                    "{} did not listen on port {port} ({exited:?}):\n{}",
                    self.processes[index].name,
                    self.logs()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every process's log, for failure messages.
    pub fn logs(&self) -> String {
        self.processes
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p.log).unwrap_or_default();
                format!("--- {} ---\n{text}", p.name)
            })
            .collect()
    }

    /// The executors whose work dir holds some file, i.e. that ran a task
    /// writing shuffle output.
    pub fn executors_with_shuffle_files(&self) -> usize {
        self.executor_dirs
            .iter()
            .filter(|dir| holds_a_file(dir))
            .count()
    }
}

fn holds_a_file(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        if path.is_dir() {
            holds_a_file(&path)
        } else {
            true
        }
    })
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for process in &mut self.processes {
            // SIGKILL: nothing of a test cluster needs a graceful end.
            let _ = process.child.kill();
            let _ = process.child.wait();
        }
    }
}
