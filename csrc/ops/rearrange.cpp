// Ops that move elements around without changing them: roll, rot90 and narrow_copy (their own
// nodes), and the composites PyTorch builds from other ops, recorded as those ops are (so
// their grad_fn names are PyTorch's): fliplr, flipud, movedim/moveaxis, repeat_interleave,
// tile, ravel, swapdims, broadcast_to.
#include "kernels/copy.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

namespace {

// x rolled by `shift` along dim d: its last `shift` elements first (a fresh tensor).
Tensor roll_one(const Tensor& x, int64_t shift, int64_t d) {
  const int64_t n = x.size(d);
  if (n == 0) return x;
  const int64_t s = ((shift % n) + n) % n;
  if (s == 0) return x;
  return cat({narrow(x, d, n - s, s), narrow(x, d, 0, n - s)}, d);
}

}  // namespace

struct Roll {
  static constexpr const char* name = "roll";
  static constexpr const char* node = "RollBackward0";
  static constexpr Schema schema{"roll(Tensor input, int[] shifts, int[]? dims=None)", kFunction | kMethod};
  struct Saved {
    DimList shifts, dims;
  };
  static Tensor forward(const Tensor& a, const DimList& shifts, const std::optional<DimList>& dims_opt) {
    const DimList dims = dims_opt ? *dims_opt : DimList{};
    TG_CHECK(!shifts.empty(), Runtime, "`shifts` required");
    if (dims.empty() && shifts.size() == 1) {  // no dims: roll the flattened tensor
      return reshape(kernels::contiguous_copy(roll_one(reshape(a, {-1}), shifts[0], 0)), a.sizes());
    }
    TG_CHECK(shifts.size() == dims.size(), Runtime, "shifts and dimensions must align. shifts: ", shifts.size(),
             ", dims:", dims.size());
    for (int64_t d : dims)
      TG_CHECK(a.dim() > 0, Index, "Dimension specified as ", d, " but tensor has no dimensions");
    Tensor x = a;
    for (size_t i = 0; i < dims.size(); ++i) x = roll_one(x, shifts[i], wrap_dim(dims[i], a.dim()));
    return x.same(a) ? kernels::contiguous_copy(a) : x;
  }
  static void save(Saved& s, const Tensor&, const DimList& shifts, const std::optional<DimList>& dims, const Tensor&) {
    for (int64_t v : shifts) s.shifts.push_back(-v);
    if (dims) s.dims = *dims;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    return {apply_op<Roll>(grad, s.shifts, std::optional<DimList>(s.dims))};
  }
};

struct Rot90 {
  static constexpr const char* name = "rot90";
  static constexpr const char* node = "Rot90Backward0";
  // dims defaults to (0, 1) (a schema default can only be `()` or None: None stands for it)
  static constexpr Schema schema{"rot90(Tensor input, int k=1, int[]? dims=None)", kFunction | kMethod};
  struct Saved {
    int64_t k = 0;
    DimList dims;
  };
  static DimList dims_of(const std::optional<DimList>& dims) { return dims ? *dims : DimList{0, 1}; }
  static Tensor forward(const Tensor& a, int64_t k, const std::optional<DimList>& dims_opt) {
    const DimList dims = dims_of(dims_opt);
    TG_CHECK(dims.size() == 2, Runtime, "expected total rotation dims == 2, but got dims = ", dims.size());
    TG_CHECK(a.dim() >= 2, Runtime, "expected total dims >= 2, but got total dims = ", a.dim());
    const int64_t d0 = wrap_dim(dims[0], a.dim()), d1 = wrap_dim(dims[1], a.dim());
    TG_CHECK(d0 != d1, Runtime, "expected rotation dims to be different, but got dim0 = ", dims[0],
             " and dim1 = ", dims[1]);
    switch (((k % 4) + 4) % 4) {  // PyTorch's layouts: a flipped copy, transposed for odd turns
      case 1: return transpose(flip(a, {d1}), d0, d1);
      case 2: return flip(a, {d0, d1});
      case 3: return transpose(flip(a, {d0}), d0, d1);
      default: return kernels::contiguous_copy(a);
    }
  }
  static void save(Saved& s, const Tensor&, int64_t k, const std::optional<DimList>& dims, const Tensor&) {
    s.k = k, s.dims = dims_of(dims);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    return {apply_op<Rot90>(grad, -(s.k % 4), std::optional<DimList>(s.dims))};
  }
};

struct NarrowCopy {
  static constexpr const char* name = "narrow_copy";
  static constexpr const char* node = "NarrowCopyBackward0";
  static constexpr Schema schema{"narrow_copy(Tensor input, int dim, int start, int length, *, Tensor? out=None)",
                                 kFunction | kMethod};
  struct Saved {
    Shape sizes;
    int64_t dim = 0, start = 0;
  };
  static Tensor forward(const Tensor& a, int64_t dim, int64_t start, int64_t length) {
    TG_CHECK(a.dim() > 0, Runtime, "narrow() cannot be applied to a 0-dim tensor.");
    // A dim past the end: PyTorch fails an internal assert ("Expected dim < ..."); this is the
    // IndexError every other dim-taking op raises.
    const int64_t size = a.size(dim);
    TG_CHECK(start >= -size && start <= size, Index, "start out of range (expected to be in range of [", -size, ", ",
             size, "], but got ", start, ")");
    if (start < 0) start += size;
    TG_CHECK(length >= 0 && start <= size - length, Runtime, "start (", start, ") + length (", length,
             ") exceeds dimension size (", size, ").");
    return kernels::contiguous_copy(narrow(a, dim, start, length));
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, int64_t start, int64_t, const Tensor&) {
    s.sizes = a.sizes(), s.dim = wrap_dim(dim, a.dim());
    s.start = start < 0 ? start + s.sizes[s.dim] : start;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    const Shape strides = contiguous_strides(s.sizes);
    return {slice_put(zeros(s.sizes, grad.dtype()), grad, Geometry{grad.sizes(), strides, s.start * strides[s.dim]})};
  }
};

// as_strided over storage the input does not cover as one contiguous block: a plain view,
// with no gradient formula (as_strided() refuses to record one; see there).
struct AsStridedRaw {
  static constexpr const char* name = "as_strided_raw";
  static constexpr const char* node = "AsStridedBackward0";
  static Tensor forward(const Tensor& a, const DimList& size, const DimList& stride, int64_t offset) {
    return Tensor::view_of(a, size, stride, offset);
  }
  struct Saved {};
  static TensorList backward(Saved&, const Tensor&, Needs) {
    TG_ERROR(Runtime, "as_strided: no gradient for a view outside the input's own contiguous elements");
  }
};

namespace {

// as_strided: a view of the input's storage. Its gradient is written back with the same
// geometry (strided_view's), which needs the view inside a contiguous input's own elements.
Tensor as_strided(const Tensor& a, const DimList& size, const DimList& stride, std::optional<int64_t> storage_offset) {
  TG_CHECK(size.size() == stride.size(), Runtime, "mismatch in length of strides and shape");
  for (int64_t st : stride)
    TG_CHECK(st >= 0, Runtime, "as_strided: Negative strides are not supported at the moment, got strides: ",
             shape_str(stride));
  for (int64_t sz : size) TG_CHECK(sz >= 0, Runtime, "Trying to create tensor with negative dimension ", sz, ": ", shape_str(size));
  const int64_t offset = storage_offset ? *storage_offset : a.offset();
  TG_CHECK(offset >= 0, Runtime, "Tensor: invalid storage offset ", offset);
  const int64_t item = (int64_t)itemsize(a.dtype());
  __int128 last = offset;  // the furthest element the view reaches
  bool empty = false;
  for (size_t d = 0; d < size.size(); ++d) empty = empty || size[d] == 0, last += (__int128)(size[d] - 1) * stride[d];
  const __int128 needed = empty ? 0 : (last + 1) * item;
  const int64_t have = (int64_t)a.storage()->nbytes();
  TG_CHECK(needed <= have, Runtime, "setStorage: sizes ", shape_str(size), ", strides ", shape_str(stride),
           ", storage offset ", offset, ", and itemsize ", item, " requiring a storage size of ", (int64_t)needed,
           " are out of bounds for storage of size ", have);
  const bool inside = a.is_contiguous() && offset >= a.offset() && (empty || last < a.offset() + a.numel());
  if (inside) return strided_view(a, a.sizes(), Geometry{size, stride, offset - a.offset()});
  TG_CHECK(!(GradMode::is_enabled() && a.requires_grad()), NotImplemented,
           "as_strided: a view outside the input's own contiguous elements (a non-contiguous input, or one reaching "
           "past it) has no gradient in tapegrad yet");
  return apply_op<AsStridedRaw>(a, size, stride, offset);
}

Tensor fliplr(const Tensor& a) {
  TG_CHECK(a.dim() >= 2, Runtime, "Input must be >= 2-d.");
  return flip(a, {1});
}
Tensor flipud(const Tensor& a) {
  TG_CHECK(a.dim() >= 1, Runtime, "Input must be >= 1-d.");
  return flip(a, {0});
}

std::string dims_str(const DimList& d) { return shape_str(Shape(d.begin(), d.end())); }

// movedim: the permutation that puts source[i] at destination[i], the other dims in order.
Tensor movedim(const Tensor& a, const DimList& source, const DimList& destination) {
  TG_CHECK(source.size() == destination.size(), Runtime,
           "movedim: Invalid source or destination dims: source (", dims_str(source),
           " dims) should contain the same number of dims as destination (", dims_str(destination), " dims)");
  const int64_t n = a.dim();
  DimList src, dst;
  for (int64_t d : source) src.push_back(wrap_dim(d, n));
  for (int64_t d : destination) dst.push_back(wrap_dim(d, n));
  if (n == 0) return permute(a, {});
  SmallVector<int64_t, 6> order(n, -1);
  SmallVector<bool, 6> used(n, false);
  for (size_t i = 0; i < src.size(); ++i) {
    TG_CHECK(!used[src[i]], Runtime, "movedim: repeated dim in `source` (", dims_str(source), ")");
    used[src[i]] = true;
  }
  for (size_t i = 0; i < dst.size(); ++i) {
    TG_CHECK(order[dst[i]] < 0, Runtime, "movedim: repeated dim in `destination` (", dims_str(destination), ")");
    order[dst[i]] = src[i];
  }
  for (int64_t pos = 0, next = 0; pos < n; ++pos) {
    if (order[pos] >= 0) continue;
    while (used[next]) ++next;
    order[pos] = next++;
  }
  return permute(a, DimList(order.begin(), order.end()));
}

// repeat_interleave(input, int): each element `repeats` times, as PyTorch records it:
// unsqueeze, expand, clone, view (after a flatten when no dim is given).
Tensor repeat_interleave_int(const Tensor& a, int64_t repeats, std::optional<int64_t> dim,
                             std::optional<int64_t> output_size) {
  TG_CHECK(repeats >= 0, Runtime, "Repeats must be non-negative");
  const Tensor x = dim ? a : reshape(a, {-1});
  const int64_t d = dim ? wrap_dim(*dim, a.dim()) : 0;
  const int64_t size = x.dim() ? x.size(d) : 1;
  int64_t total = 0;
  TG_CHECK(!__builtin_mul_overflow(size, repeats, &total), Runtime, "repeat_interleave: ", size, " elements repeated ",
           repeats, " times are more than 2**63");
  if (output_size)
    TG_CHECK(*output_size == total, Runtime, "repeat_interleave: Invalid output_size, expected ",
             total, " but got ", *output_size);
  const Tensor u = unsqueeze(x, d + 1);  // a 0-d input with a dim fails here, as PyTorch's does
  Shape expanded = x.sizes(), result = x.sizes();
  expanded.insert(expanded.begin() + d + 1, repeats);
  result[d] = total;
  return view(clone(expand(u, expanded)), result);
}

// The index that repeats i repeats[i] times: repeat_interleave(repeats), and what the tensor
// overload selects with.
Tensor repeat_index(const Tensor& repeats, std::optional<int64_t> output_size) {
  TG_CHECK(repeats.dim() == 1, Runtime, "repeat_interleave only accept 1D vector as repeat");
  TG_CHECK(repeats.dtype() == DType::Int64, NotImplemented, "\"repeat_interleave_cpu\" not implemented for '",
           dtype_legacy_name(repeats.dtype()), "'");
  const Tensor r = kernels::contiguous_copy(repeats);
  const int64_t* p = r.data<int64_t>();
  int64_t total = 0;
  for (int64_t i = 0; i < r.numel(); ++i) {
    TG_CHECK(p[i] >= 0, Runtime, "repeats can not be negative");
    TG_CHECK(!__builtin_add_overflow(total, p[i], &total), Runtime, "repeats are too big");
  }
  TG_CHECK(!output_size || *output_size == total, Runtime, "allocated size does not match required size");
  Tensor out = Tensor::empty({total}, DType::Int64);
  int64_t* o = out.data<int64_t>();
  for (int64_t i = 0, k = 0; i < r.numel(); ++i)
    for (int64_t j = 0; j < p[i]; ++j) o[k++] = i;
  return out;
}

Tensor repeat_interleave_tensor(const Tensor& a, const Tensor& repeats, std::optional<int64_t> dim,
                                std::optional<int64_t> output_size) {
  const Tensor x = dim ? a : reshape(a, {-1});
  TG_CHECK(x.dim() > 0, Index, "Dimension specified as ", *dim, " but tensor has no dimensions");
  const int64_t d = wrap_dim(dim ? *dim : 0, x.dim());
  const int64_t size = x.size(d);
  TG_CHECK(repeats.dim() <= 1, Runtime, "repeats must be 0-dim or 1-dim tensor");
  Tensor r = repeats.dim() == 0 ? reshape(repeats, {1}) : repeats;
  if (r.numel() == 1 && size != 1) r = expand(r, {size});  // one count for every element
  TG_CHECK(r.dim() == 1 && r.size(0) == size, Runtime,
           "repeats must have the same size as input along dim, but got repeats.size(0) = ", r.dim() ? r.size(0) : 1,
           " and input.size(", d, ") = ", size);
  // Nothing to repeat: PyTorch returns the empty input's shape whatever output_size says.
  return index_select(x, d, repeat_index(r, size ? output_size : std::nullopt));
}

Tensor repeat_interleave_only(const Tensor& repeats, std::optional<int64_t> output_size) {
  return repeat_index(repeats, output_size);
}

Tensor tile(const Tensor& a, const DimList& dims) {
  Shape repeats(dims.begin(), dims.end());
  while ((int64_t)repeats.size() < a.dim()) repeats.insert(repeats.begin(), 1);
  return repeat(a, repeats);
}

Tensor ravel(const Tensor& a) { return view(contiguous(a), {-1}); }
Tensor swapdims(const Tensor& a, int64_t d0, int64_t d1) { return transpose(a, d0, d1); }
Tensor broadcast_to(const Tensor& a, const DimList& size) { return expand(a, Shape(size.begin(), size.end())); }

}  // namespace

void register_rearrange_ops(std::vector<OpInfo>& ops) {
  register_ops<Roll, Rot90, NarrowCopy>(ops);
  constexpr uint8_t kBoth = kFunction | kMethod;
  register_functions(
      ops, {
               {{"fliplr(Tensor input)", kBoth}, invoke_fn<&fliplr>},
               {{"flipud(Tensor input)", kBoth}, invoke_fn<&flipud>},
               {{"movedim(Tensor input, int[] source, int[] destination)", kBoth}, invoke_fn<&movedim>},
               {{"moveaxis(Tensor input, int[] source, int[] destination)", kBoth}, invoke_fn<&movedim>},
               {{"repeat_interleave(Tensor input, Tensor repeats, int? dim=None, *, int? output_size=None)", kBoth},
                invoke_fn<&repeat_interleave_tensor>},
               {{"repeat_interleave(Tensor input, int repeats, int? dim=None, *, int? output_size=None)", kBoth},
                invoke_fn<&repeat_interleave_int>},
               {{"repeat_interleave(Tensor repeats, *, int? output_size=None)", kFunction},
                invoke_fn<&repeat_interleave_only>},
               {{"tile(Tensor input, int[] dims)", kBoth}, invoke_fn<&tile>},
               {{"ravel(Tensor input)", kBoth}, invoke_fn<&ravel>},
               {{"swapdims(Tensor input, int dim0, int dim1)", kBoth}, invoke_fn<&swapdims>},
               {{"broadcast_to(Tensor input, int[] size)", kBoth}, invoke_fn<&broadcast_to>},
               {{"as_strided(Tensor input, int[] size, int[] stride, int? storage_offset=None)", kBoth},
                invoke_fn<&as_strided>},
           });
}

}  // namespace tg
