// Searching sorted sequences (searchsorted, bucketize) and the index lists of a matrix's
// triangles (tril_indices, triu_indices). All give int64 positions: never differentiable.
#include <algorithm>

#include "kernels/copy.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

namespace {

// tapegrad has no int32 dtype yet: out_int32=True is refused in words rather than ignored.
void check_out_int32(bool out_int32, const char* fname) {
  TG_CHECK(!out_int32, NotImplemented, fname, "(): out_int32=True needs the int32 dtype, which tapegrad does not have");
}

// For each value, the number of boundaries (in its row) below it (left) or not above it
// (right). Integers compare exactly, mixed dtypes in double.
Tensor search(const Tensor& sorted, const Tensor& values, bool right) {
  const Tensor b = kernels::contiguous_copy(sorted), v = kernels::contiguous_copy(values);
  Tensor out = Tensor::empty(values.sizes(), DType::Int64);
  const int64_t n = sorted.dim() ? sorted.size(-1) : 1;
  const int64_t per_row = sorted.dim() > 1 ? (values.dim() ? values.size(-1) : 1) : v.numel();
  const bool exact = !is_floating(b.dtype()) && !is_floating(v.dtype());
  auto run = [&](auto key) {
    using K = decltype(key);
    std::vector<K> row(n);
    auto read = [](const Tensor& t, int64_t i) {
      return visit_dtype(t.dtype(), [&](auto tag) { return (K)t.data<typename decltype(tag)::type>()[i]; });
    };
    int64_t* o = out.data<int64_t>();
    for (int64_t i = 0; i < v.numel(); ++i) {
      if (i % std::max<int64_t>(per_row, 1) == 0 || i == 0) {
        const int64_t r = sorted.dim() > 1 ? i / per_row : 0;
        for (int64_t j = 0; j < n; ++j) row[j] = read(b, r * n + j);
      }
      const K x = read(v, i);
      o[i] = (right ? std::upper_bound(row.begin(), row.end(), x) : std::lower_bound(row.begin(), row.end(), x)) -
             row.begin();
    }
  };
  if (exact) run(int64_t{});
  else run(double{});
  return out;
}

bool side_is_right(bool right, std::optional<std::string_view> side) {
  if (!side) return right;
  TG_CHECK(*side == "left" || *side == "right", Runtime,
           "torch.searchsorted(): side can only be 'left' or 'right' but got ", *side);
  TG_CHECK(right == false || *side == "right", Runtime,
           "torch.searchsorted(): side and right can't be set to opposites, got side of ", *side,
           " while right was True");
  return *side == "right";
}

Tensor searchsorted(const Tensor& sorted, const Tensor& values, bool out_int32, bool right,
                    std::optional<std::string_view> side, const std::optional<Tensor>& sorter) {
  TG_CHECK(sorted.dim() > 0, Runtime, "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
           "dimension");
  bool rows_match = sorted.dim() == 1 || sorted.dim() == values.dim();
  for (int64_t d = 0; rows_match && d + 1 < sorted.dim(); ++d) rows_match = sorted.size(d) == values.size(d);
  TG_CHECK(rows_match, Runtime, "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
           "dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor ",
           shape_str(sorted.sizes()), " and input value tensor ", shape_str(values.sizes()));
  const bool r = side_is_right(right, side);
  check_out_int32(out_int32, "searchsorted");
  Tensor seq = sorted;
  if (sorter && sorter->defined()) {
    TG_CHECK(sorter->sizes() == sorted.sizes(), Runtime, "torch.searchsorted(): boundary and sorter must have the same "
             "size, but got boundary tensor ", shape_str(sorted.sizes()), "and got sorter tensor ",
             shape_str(sorter->sizes()));
    TG_CHECK(sorter->dtype() == DType::Int64, Runtime, "torch.searchsorted(): sorter must be a tensor of long dtype "
             "but got dtype ", dtype_legacy_name(sorter->dtype()));
    seq = gather(sorted, -1, *sorter);
  }
  return search(seq, values, r);
}

Tensor searchsorted_scalar(const Tensor& sorted, Scalar value, bool out_int32, bool right,
                           std::optional<std::string_view> side, const std::optional<Tensor>& sorter) {
  TG_CHECK(sorted.dim() == 1, Runtime, "torch.searchsorted(): input value can be a scalar only when boundaries tensor "
           "dimension is 1, but we got boundaries tensor dim(", sorted.dim(), ") and input value's dim(0) numel(1)");
  return searchsorted(sorted, scalar_tensor(value), out_int32, right, side, sorter);
}

Tensor bucketize(const Tensor& input, const Tensor& boundaries, bool out_int32, bool right) {
  TG_CHECK(boundaries.dim() == 1, Runtime, "boundaries tensor must be 1 dimension, but got dim(", boundaries.dim(), ")");
  check_out_int32(out_int32, "bucketize");
  return search(boundaries, input, right);
}

Tensor bucketize_scalar(Scalar value, const Tensor& boundaries, bool out_int32, bool right) {
  return bucketize(scalar_tensor(value), boundaries, out_int32, right);
}

// The (row, col) pairs of a row x col matrix's lower (upper) triangle from diagonal `offset`,
// row by row, as a 2 x N int64 tensor.
template <bool Lower>
Tensor triangle_indices(int64_t row, int64_t col, int64_t offset, std::optional<DType> dtype) {
  const char* fname = Lower ? "tril_indices" : "triu_indices";
  TG_CHECK(row >= 0, Runtime, "row must be non-negative, got", row);
  TG_CHECK(col >= 0, Runtime, "col must be non-negative, got", col);
  const DType dt = dtype ? *dtype : DType::Int64;
  TG_CHECK(dt == DType::Int64, NotImplemented, "\"", fname, "\" not implemented for '", dtype_legacy_name(dt), "'");
  // The pairs are listed one by one: a matrix past 2**36 elements is refused rather than walked.
  TG_CHECK((__int128)row * col <= ((__int128)1 << 36), Runtime, fname, ": a ", row, " x ", col,
           " matrix is too large to list the indices of");
  std::vector<int64_t> rows, cols;
  for (int64_t i = 0; i < row; ++i)
    for (int64_t j = 0; j < col; ++j) {
      const __int128 d = (__int128)j - i;
      if (Lower ? d <= offset : d >= offset) rows.push_back(i), cols.push_back(j);
    }
  const int64_t n = (int64_t)rows.size();
  Tensor out = Tensor::empty({2, n}, DType::Int64);
  std::copy(rows.begin(), rows.end(), out.data<int64_t>());
  std::copy(cols.begin(), cols.end(), out.data<int64_t>() + n);
  return out;
}

}  // namespace

void register_search_ops(std::vector<OpInfo>& ops) {
  register_functions(
      ops,
      {
          {{"searchsorted(Tensor sorted_sequence, Tensor input, *, bool out_int32=False, bool right=False, "
            "str? side=None, Tensor? sorter=None, Tensor? out=None)",
            kFunction},
           invoke_fn<&searchsorted>},
          {{"searchsorted(Tensor sorted_sequence, Number self, *, bool out_int32=False, bool right=False, "
            "str? side=None, Tensor? sorter=None, Tensor? out=None)",
            kFunction},
           invoke_fn<&searchsorted_scalar>},
          {{"bucketize(Tensor input, Tensor boundaries, *, bool out_int32=False, bool right=False, Tensor? out=None)",
            kFunction},
           invoke_fn<&bucketize>},
          {{"bucketize(Number self, Tensor boundaries, *, bool out_int32=False, bool right=False, Tensor? out=None)",
            kFunction},
           invoke_fn<&bucketize_scalar>},
          {{"tril_indices(int row, int col, int offset=0, *, dtype? dtype=None)", kFunction},
           invoke_fn<&triangle_indices<true>>},
          {{"triu_indices(int row, int col, int offset=0, *, dtype? dtype=None)", kFunction},
           invoke_fn<&triangle_indices<false>>},
      });
}

}  // namespace tg
