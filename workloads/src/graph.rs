//! The operator graph of a trace (petgraph): data dependencies within and
//! across blocks, a topological order, the parallel branches the simulator
//! may overlap (q/k/v, gate/up), and a Graphviz export.

use crate::op::Op;
use crate::trace::Trace;
use petgraph::algo::{has_path_connecting, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::collections::HashMap;
use std::fmt::Write as _;

/// A trace whose dependencies cannot form a graph.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// An operator reads an operator that is not in the trace.
    #[error("operator `{op}` reads `{input}`, which is not defined in the trace")]
    UnknownInput {
        /// The reading operator.
        op: String,
        /// The missing name.
        input: String,
    },
    /// Two operators share a name.
    #[error("operator name `{0}` is used twice")]
    DuplicateName(String),
    /// The dependencies form a cycle.
    #[error("the operators form a dependency cycle through `{0}`")]
    Cycle(String),
}

/// Operators as nodes (weighted by their index in the trace), data
/// dependencies as edges from producer to consumer.
#[derive(Debug, Clone)]
pub struct OpGraph {
    graph: DiGraph<usize, ()>,
    order: Vec<usize>,
    level: Vec<u32>,
}

impl OpGraph {
    /// Builds the graph of `trace`.
    pub fn new(trace: &Trace) -> Result<OpGraph, GraphError> {
        let mut graph = DiGraph::with_capacity(trace.ops.len(), trace.ops.len() * 2);
        let mut by_name = HashMap::with_capacity(trace.ops.len());
        for (i, op) in trace.ops.iter().enumerate() {
            let node = graph.add_node(i);
            if by_name.insert(op.name.as_str(), node).is_some() {
                return Err(GraphError::DuplicateName(op.name.clone()));
            }
        }
        for (i, op) in trace.ops.iter().enumerate() {
            for input in &op.inputs {
                let from =
                    *by_name
                        .get(input.as_str())
                        .ok_or_else(|| GraphError::UnknownInput {
                            op: op.name.clone(),
                            input: input.clone(),
                        })?;
                graph.add_edge(from, NodeIndex::new(i), ());
            }
        }
        let order: Vec<usize> = toposort(&graph, None)
            .map_err(|c| GraphError::Cycle(trace.ops[graph[c.node_id()]].name.clone()))?
            .into_iter()
            .map(|n| graph[n])
            .collect();
        // ASAP level: the longest chain of producers before an operator.
        let mut level = vec![0u32; trace.ops.len()];
        for &i in &order {
            let node = NodeIndex::new(i);
            level[i] = graph
                .edges_directed(node, Direction::Incoming)
                .map(|e| level[graph[e.source()]] + 1)
                .max()
                .unwrap_or(0);
        }
        Ok(OpGraph {
            graph,
            order,
            level,
        })
    }

    /// Operator indices in a topological order (producers first).
    pub fn topo_order(&self) -> &[usize] {
        &self.order
    }

    /// Indices of the operators that operator `i` reads.
    pub fn predecessors(&self, i: usize) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .graph
            .neighbors_directed(NodeIndex::new(i), Direction::Incoming)
            .map(|n| self.graph[n])
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Indices of the operators that read operator `i`.
    pub fn successors(&self, i: usize) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .graph
            .neighbors_directed(NodeIndex::new(i), Direction::Outgoing)
            .map(|n| self.graph[n])
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// ASAP level of operator `i`: 0 for operators with no inputs, else one
    /// more than the deepest input.
    pub fn level(&self, i: usize) -> u32 {
        self.level[i]
    }

    /// True when neither operator depends (directly or transitively) on the
    /// other, so they may run at the same time.
    pub fn independent(&self, a: usize, b: usize) -> bool {
        a != b
            && !has_path_connecting(&self.graph, NodeIndex::new(a), NodeIndex::new(b), None)
            && !has_path_connecting(&self.graph, NodeIndex::new(b), NodeIndex::new(a), None)
    }

    /// Groups of two or more operators that share a level and the same
    /// inputs: the parallel branches of a block (q/k/v, gate/up, the two
    /// RoPEs), in trace order.
    pub fn parallel_groups(&self) -> Vec<Vec<usize>> {
        let mut groups: Vec<(u32, Vec<usize>, Vec<usize>)> = Vec::new();
        for i in 0..self.level.len() {
            let preds = self.predecessors(i);
            match groups
                .iter_mut()
                .find(|(l, p, _)| *l == self.level[i] && *p == preds && !preds.is_empty())
            {
                Some((_, _, members)) => members.push(i),
                None => groups.push((self.level[i], preds, vec![i])),
            }
        }
        groups
            .into_iter()
            .filter(|(_, _, m)| m.len() > 1)
            .map(|(_, _, m)| m)
            .collect()
    }

    /// Graphviz DOT of the graph, one cluster per block.
    pub fn to_dot(&self, trace: &Trace) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "digraph \"{}\" {{", escape(&trace.meta.model));
        s.push_str("  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
        let mut current: Option<Option<u32>> = None;
        for (i, op) in trace.ops.iter().enumerate() {
            if current != Some(op.layer) {
                if matches!(current, Some(Some(_))) {
                    s.push_str("  }\n");
                }
                if let Some(l) = op.layer {
                    let _ = writeln!(s, "  subgraph cluster_L{l} {{\n    label=\"block {l}\";");
                }
                current = Some(op.layer);
            }
            let indent = if op.layer.is_some() { "    " } else { "  " };
            let _ = writeln!(
                s,
                "{indent}n{i} [label=\"{}\\n{}\"];",
                escape(&op.name),
                label(op)
            );
        }
        if matches!(current, Some(Some(_))) {
            s.push_str("  }\n");
        }
        for e in self.graph.edge_references() {
            let _ = writeln!(
                s,
                "  n{} -> n{};",
                self.graph[e.source()],
                self.graph[e.target()]
            );
        }
        s.push_str("}\n");
        s
    }
}

fn label(op: &Op) -> String {
    let shape = if op.kind.is_matmul() {
        format!("{}x{}x{}", op.m, op.k, op.n)
    } else {
        format!("{}x{}", op.m, op.n)
    };
    let g = if op.g > 1 {
        format!("{}x ", op.g)
    } else {
        String::new()
    };
    format!("{} {g}{shape}", op.kind)
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{generate, TraceOptions};
    use crate::zoo;

    fn graph_of(model: &str) -> (Trace, OpGraph) {
        let m = zoo::find(model).unwrap();
        let t = generate(
            &m,
            &TraceOptions {
                seq: 8,
                ..Default::default()
            },
        )
        .unwrap();
        let g = OpGraph::new(&t).unwrap();
        (t, g)
    }

    fn idx(t: &Trace, name: &str) -> usize {
        t.ops.iter().position(|o| o.name == name).unwrap()
    }

    #[test]
    fn order_respects_dependencies() {
        let (t, g) = graph_of("bitnet-b1.58-2B-4T");
        let mut pos = vec![0; t.ops.len()];
        for (p, &i) in g.topo_order().iter().enumerate() {
            pos[i] = p;
        }
        assert_eq!(g.topo_order().len(), t.ops.len());
        for (i, op) in t.ops.iter().enumerate() {
            for input in &op.inputs {
                assert!(pos[idx(&t, input)] < pos[i], "{input} before {}", op.name);
            }
        }
        // Across blocks: block 1 reads block 0's residual.
        assert_eq!(
            g.predecessors(idx(&t, "L1.attn_norm")),
            vec![idx(&t, "L0.ffn_res")]
        );
        // The residual add reads the projection and the previous residual.
        assert_eq!(
            g.predecessors(idx(&t, "L0.attn_res")),
            vec![idx(&t, "embed"), idx(&t, "L0.o")]
        );
    }

    #[test]
    fn projections_are_parallel_branches() {
        let (t, g) = graph_of("bitnet-b1.58-2B-4T");
        let names = |v: &Vec<usize>| v.iter().map(|&i| t.ops[i].name.clone()).collect::<Vec<_>>();
        let groups: Vec<Vec<String>> = g.parallel_groups().iter().map(names).collect();
        assert!(
            groups.contains(&vec!["L0.q".into(), "L0.k".into(), "L0.v".into()]),
            "{groups:?}"
        );
        assert!(groups.contains(&vec!["L3.gate".into(), "L3.up".into()]));
        assert!(g.independent(idx(&t, "L0.q"), idx(&t, "L0.v")));
        assert!(g.independent(idx(&t, "L0.v_cache"), idx(&t, "L0.qk")));
        assert!(!g.independent(idx(&t, "L0.q"), idx(&t, "L0.o")));
        assert!(!g.independent(idx(&t, "L0.up"), idx(&t, "L1.q")));
        assert_eq!(g.level(idx(&t, "L0.q")), g.level(idx(&t, "L0.k")));
    }

    #[test]
    fn bad_graphs_are_refused() {
        let (mut t, _) = graph_of("bitnet-125M");
        t.ops[3].inputs.push("nowhere".into());
        assert!(matches!(
            OpGraph::new(&t),
            Err(GraphError::UnknownInput { .. })
        ));
        let (mut t, _) = graph_of("bitnet-125M");
        let first = t.ops[1].name.clone();
        t.ops[0].inputs.push(first);
        assert!(matches!(OpGraph::new(&t), Err(GraphError::Cycle(_))));
    }

    #[test]
    fn dot_has_every_node_and_edge() {
        let (t, g) = graph_of("bitnet-125M");
        let dot = g.to_dot(&t);
        let edges: usize = t.ops.iter().map(|o| o.inputs.len()).sum();
        assert_eq!(dot.matches(" -> ").count(), edges);
        assert_eq!(dot.matches("[label=").count(), t.ops.len());
        assert_eq!(dot.matches("subgraph cluster_L").count(), 12);
        assert!(dot.contains("L0.q\\nlinear 1x768x768"));
    }
}
