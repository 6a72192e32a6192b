#include "core/ensemble_ops.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/kernels/kernel_table.hpp"
#include "core/parallel.hpp"

namespace quddpm {

int qubits_of(const StateMatrix& states) {
  const auto d = static_cast<std::size_t>(states.cols());
  if (d == 0 || (d & (d - 1)) != 0)
    throw std::invalid_argument("state length " + std::to_string(d) + " is not a power of 2");
  int k = 0;
  while ((std::size_t{1} << k) < d)
    ++k;
  return k;
}

namespace {
// Rows per parallel task of the ensemble products: the kernels share each row of the other
// operand across a block of rows; the entries' bits do not depend on the split.
constexpr std::int64_t kRowsPerTask = 4;
std::int64_t blocks_of(std::int64_t rows) {
  return (rows + kRowsPerTask - 1) / kRowsPerTask;
}

void require_same_dim(const StateMatrix& a, const StateMatrix& b) {
  if (a.cols() != b.cols())
    throw std::invalid_argument("ensembles of different dimension: " + std::to_string(a.cols()) +
                                " vs " + std::to_string(b.cols()));
}

// Rows [lo, hi) of a b^dagger into g (hi - lo rows of b.rows() entries).
void gram_rows(const StateMatrix& a, std::int64_t lo, std::int64_t hi, const StateMatrix& b,
               cplx* g) {
  const KernelTable& k = active_kernels();
  const std::int64_t d = a.cols(), nb = b.rows();
  par::for_each_state(
      blocks_of(hi - lo),
      [&](std::int64_t blk) {
        const std::int64_t i = lo + blk * kRowsPerTask, rows = std::min(kRowsPerTask, hi - i);
        k.gram_rows(a.row(i).data(), rows, b.data(), nb, d, g + (i - lo) * nb);
      },
      static_cast<double>(kRowsPerTask * nb * d));
}

}  // namespace

StateMatrix gram(const StateMatrix& a, const StateMatrix& b) {
  require_same_dim(a, b);
  StateMatrix g(a.rows(), b.rows());
  gram_rows(a, 0, a.rows(), b, g.data());
  return g;
}

StateMatrix self_gram(const StateMatrix& a) {
  StateMatrix g(a.rows(), a.rows());
  self_gram_upper_rows(a, 0, a.rows(), g);
  mirror_upper(g);
  return g;
}

void self_gram_upper_rows(const StateMatrix& a, std::int64_t lo, std::int64_t hi, StateMatrix& g) {
  if (g.rows() != a.rows() || g.cols() != a.rows())
    throw std::invalid_argument("self_gram_upper_rows: g is " + std::to_string(g.rows()) + " x " +
                                std::to_string(g.cols()) + ", not " + std::to_string(a.rows()) +
                                " x " + std::to_string(a.rows()));
  const KernelTable& k = active_kernels();
  const std::int64_t n = a.rows(), d = a.cols();
  std::vector<std::vector<cplx>> scratch(par::max_threads());
  // Block i.. against rows i.. of a (its first entries below the diagonal come along: the
  // same values mirror_upper writes there).
  par::for_each_state(
      blocks_of(hi - lo),
      [&](std::int64_t blk) {
        const std::int64_t i = lo + blk * kRowsPerTask, rows = std::min(kRowsPerTask, hi - i);
        std::vector<cplx>& out = scratch[par::thread_index()];
        out.resize(static_cast<std::size_t>(rows * (n - i)));
        k.gram_rows(a.row(i).data(), rows, a.row(i).data(), n - i, d, out.data());
        for (std::int64_t r = 0; r < rows; ++r)
          std::copy(out.data() + r * (n - i), out.data() + (r + 1) * (n - i),
                    g.row(i + r).data() + i);
      },
      0.5 * static_cast<double>(kRowsPerTask * n * d));  // the upper half on average
}

void mirror_upper(StateMatrix& g) {
  for (Eigen::Index i = 1; i < g.rows(); ++i)
    for (Eigen::Index j = 0; j < i; ++j)
      g(i, j) = std::conj(g(j, i));
}

StateMatrix combine(const StateMatrix& c, const StateMatrix& rows) {
  if (c.cols() != rows.rows())
    throw std::invalid_argument("combine: " + std::to_string(c.cols()) + " coefficients for " +
                                std::to_string(rows.rows()) + " rows");
  StateMatrix out(c.rows(), rows.cols());
  const KernelTable& k = active_kernels();
  const std::int64_t n = c.rows();
  par::for_each_state(
      blocks_of(n),
      [&](std::int64_t blk) {
        const std::int64_t i = blk * kRowsPerTask, count = std::min(kRowsPerTask, n - i);
        k.combine_rows(c.row(i).data(), count, rows.data(), rows.rows(), rows.cols(),
                       out.row(i).data());
      },
      static_cast<double>(kRowsPerTask * rows.rows() * rows.cols()));
  return out;
}

RealMatrix overlap_sq(const StateMatrix& a, const StateMatrix& b, const Pace& pace) {
  // |<a_i|b_j>|^2 = |<b_j|a_i>|^2
  if (!pace) return gram(a, b).cwiseAbs2();
  require_same_dim(a, b);
  RealMatrix out(a.rows(), b.rows());
  const std::int64_t per_piece =
      items_per_piece(static_cast<double>(b.rows()) * static_cast<double>(a.cols()),
                      kRowsPerTask * par::max_threads());
  StateMatrix piece;
  in_pieces(a.rows(), per_piece, pace, [&](std::int64_t lo, std::int64_t hi) {
    piece.resize(hi - lo, b.rows());
    gram_rows(a, lo, hi, b, piece.data());
    out.middleRows(lo, hi - lo) = piece.cwiseAbs2();
  });
  return out;
}

namespace {

// Rows of a per parallel task of the sums of squared overlaps: whole registers' worth of rows
// for the kernel's lanes (16 in double on AVX-512). Blocks start at multiples of it.
constexpr std::int64_t kSumRowsPerTask = 32;

// x[0] + ... + x[n-1] by halves (pairwise): the rounding error grows as log n, not n.
double pairwise_sum(const double* x, std::int64_t n) {
  if (n <= 8) {
    double s = 0;
    for (std::int64_t i = 0; i < n; ++i)
      s += x[i];
    return s;
  }
  const std::int64_t h = n / 2;
  return pairwise_sum(x, h) + pairwise_sum(x + h, n - h);
}

// totals[r] = sum_j |<a_r|b_j>|^2 over the rows [lo, hi) of b, for the `rows` rows of a at
// a_rows: chunks of kOverlapSumChunk rows of b from lo through the kernel, then the pairwise sum
// of each row's chunks (`parts` a workspace).
void overlap_sq_totals(const KernelTable& k, const cplx* a_rows, std::int64_t rows,
                       const StateMatrix& b, std::int64_t lo, std::int64_t hi,
                       std::vector<double>& parts, double* totals) {
  const std::int64_t d = b.cols();
  const std::int64_t chunks = hi > lo ? (hi - lo + kOverlapSumChunk - 1) / kOverlapSumChunk : 0;
  parts.resize(static_cast<std::size_t>(rows * (chunks + 1)));
  double* sums = parts.data() + rows * chunks;
  for (std::int64_t c = 0; c < chunks; ++c) {
    const std::int64_t j = lo + c * kOverlapSumChunk;
    k.overlap_sq_rows(a_rows, rows, b.data() + j * d, std::min(kOverlapSumChunk, hi - j), d, sums);
    for (std::int64_t r = 0; r < rows; ++r)
      parts[static_cast<std::size_t>(r * chunks + c)] = sums[r];
  }
  for (std::int64_t r = 0; r < rows; ++r)
    totals[r] = pairwise_sum(parts.data() + r * chunks, chunks);
}

// f(i, rows, workspace) for the blocks [i, i + rows) of kSumRowsPerTask rows covering [0, n),
// in parallel (workspace: the calling thread's), in pieces of whole blocks between which the
// pace hears the fraction of blocks done; a block costs about `work_per_block` amplitude
// operations. The blocks do not depend on the pieces or the threads.
template <class F>
void in_sum_blocks(std::int64_t n, double work_per_block, const Pace& pace, F&& f) {
  std::vector<std::vector<double>> workspace(static_cast<std::size_t>(par::max_threads()));
  const std::int64_t blocks = (n + kSumRowsPerTask - 1) / kSumRowsPerTask;
  const std::int64_t per_piece = items_per_piece(work_per_block, par::max_threads());
  in_pieces(blocks, per_piece, pace, [&](std::int64_t lo, std::int64_t hi) {
    par::for_each_state(
        hi - lo,
        [&](std::int64_t t) {
          const std::int64_t i = (lo + t) * kSumRowsPerTask;
          f(i, std::min(kSumRowsPerTask, n - i),
            workspace[static_cast<std::size_t>(par::thread_index())]);
        },
        work_per_block);
  });
}

}  // namespace

double overlap_sq_sum(const StateMatrix& a, const StateMatrix& b, const Pace& pace) {
  require_same_dim(a, b);
  const KernelTable& k = active_kernels();
  const std::int64_t na = a.rows(), nb = b.rows();
  std::vector<double> totals(static_cast<std::size_t>(na));
  const double work = static_cast<double>(kSumRowsPerTask * nb) * static_cast<double>(a.cols());
  in_sum_blocks(na, work, pace, [&](std::int64_t i, std::int64_t rows, std::vector<double>& ws) {
    overlap_sq_totals(k, a.row(i).data(), rows, b, 0, nb, ws, totals.data() + i);
  });
  return pairwise_sum(totals.data(), na);
}

SelfOverlapSq self_overlap_sq_sum(const StateMatrix& a, const Pace& pace) {
  const KernelTable& k = active_kernels();
  const std::int64_t n = a.rows(), d = a.cols();
  const auto size = static_cast<std::size_t>(n);
  std::vector<double> across(size), within(size), diagonal(size);
  // (The first blocks are the longest: half the rows on average.)
  const double work = static_cast<double>(kSumRowsPerTask * n) / 2 * static_cast<double>(d);
  in_sum_blocks(n, work, pace, [&](std::int64_t i, std::int64_t rows, std::vector<double>& ws) {
    const cplx* block = a.row(i).data();
    // The block's rows against every row after it, the block against itself (every ordered
    // pair: a small square at the kernel's full speed), and each row with itself, |<a|a>|^2 =
    // (sum_x |a_x|^2)^2 (not worth a kernel call a row: the kernel takes rows of a by 16).
    overlap_sq_totals(k, block, rows, a, i + rows, n, ws, across.data() + i);
    k.overlap_sq_rows(block, rows, block, rows, d, within.data() + i);
    for (std::int64_t r = 0; r < rows; ++r) {
      const double norm2 = a.row(i + r).squaredNorm();
      diagonal[static_cast<std::size_t>(i + r)] = norm2 * norm2;
    }
  });
  return {pairwise_sum(across.data(), n), pairwise_sum(within.data(), n),
          pairwise_sum(diagonal.data(), n)};
}

RealVector row_norms(const StateMatrix& states) {
  return states.rowwise().norm();
}

void normalize_rows(StateMatrix& states) {
  for (Eigen::Index i = 0; i < states.rows(); ++i)
    states.row(i) /= states.row(i).norm();
}

}  // namespace quddpm
