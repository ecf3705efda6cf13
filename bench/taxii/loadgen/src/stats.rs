//! Timing of one phase: throughput, latency percentiles and the error count.

use std::time::Duration;

/// What one phase measured.
#[derive(Debug, Default)]
pub struct Phase {
    /// The phase's name in the report.
    pub name: &'static str,
    /// Objects moved (ingest, read) or requests made (queries).
    pub items: u64,
    /// What `items` counts, for the report.
    pub unit: &'static str,
    /// Wall time of the whole phase.
    pub elapsed: Duration,
    /// One entry per request (per envelope for ingest, per page for read).
    pub latencies: Vec<Duration>,
    /// Requests that failed or whose answer was wrong.
    pub errors: u64,
    /// Extra remarks for the report, such as the first error seen.
    pub notes: Vec<String>,
    /// Latencies split by kind of request, each reported on its own line.
    pub breakdown: Vec<(&'static str, Vec<Duration>)>,
}

impl Phase {
    /// Records an error, keeping the first few messages for the report.
    pub fn error(&mut self, msg: impl Into<String>) {
        self.errors += 1;
        if self.notes.len() < 3 {
            self.notes.push(msg.into());
        }
    }

    /// Items per second over the whole phase.
    pub fn rate(&self) -> f64 {
        self.items as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency at quantile `q` (0..=1), nearest rank, in milliseconds.
    pub fn percentile_ms(&self, q: f64) -> f64 {
        percentile_ms(&self.latencies, q)
    }

    /// One report line: `label phase items unit/s p50 p99 errors`, aligned for reading.
    pub fn report(&self, label: &str) -> String {
        let mut line = format!(
            "{label:>8} {:<8} {:>8} {:<8} {:>8.2} s {:>10.0} {}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
            self.name,
            self.items,
            self.unit,
            self.elapsed.as_secs_f64(),
            self.rate(),
            self.unit,
            self.percentile_ms(0.50),
            self.percentile_ms(0.99),
            self.errors,
        );
        for (kind, latencies) in &self.breakdown {
            line.push_str(&format!(
                "\n{:>8} {:<8} {:>8} {:<8} {:>24}  p50 {:>7.2} ms  p99 {:>7.2} ms",
                "",
                "",
                latencies.len(),
                kind,
                "",
                percentile_ms(latencies, 0.50),
                percentile_ms(latencies, 0.99),
            ));
        }
        for note in &self.notes {
            line.push_str(&format!("\n         note: {note}"));
        }
        line
    }
}

/// The latency at quantile `q` (0..=1) of a sample, nearest rank, in milliseconds.
fn percentile_ms(latencies: &[Duration], q: f64) -> f64 {
    if latencies.is_empty() {
        return 0.0;
    }
    let mut sorted = latencies.to_vec();
    sorted.sort_unstable();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let sample: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile_ms(&sample, 0.50), 50.0);
        assert_eq!(percentile_ms(&sample, 0.99), 99.0);
        assert_eq!(percentile_ms(&sample[..1], 0.99), 1.0);
        assert_eq!(percentile_ms(&[], 0.5), 0.0);
    }

    #[test]
    fn errors_are_counted_and_the_first_few_kept() {
        let mut phase = Phase::default();
        (0..5).for_each(|i| phase.error(format!("e{i}")));
        assert_eq!(phase.errors, 5);
        assert_eq!(phase.notes, ["e0", "e1", "e2"]);
    }
}
