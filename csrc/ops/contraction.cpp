// Contractions composed from permute / reshape / mm / bmm / sum, recorded as those ops (as
// PyTorch records them): tensordot, einsum, chain_matmul. Integer operands contract by
// multiply-and-sum, since the matrix kernels are floating only.
#include <algorithm>
#include <cctype>
#include <string>

#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

Tensor diagonal(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2);  // triangular.cpp

// mm / bmm for any dtype (products.cpp's integer addmm and friends use them too).
Tensor matrix_product(const Tensor& a, const Tensor& b) {
  if (is_floating(a.dtype()) || a.dtype() != b.dtype()) return mm(a, b);
  return sum(mul(unsqueeze(a, 2), unsqueeze(b, 0)), {1}, false);
}
Tensor batch_matrix_product(const Tensor& a, const Tensor& b) {
  if (is_floating(a.dtype()) || a.dtype() != b.dtype()) return bmm(a, b);
  return sum(mul(unsqueeze(a, 3), unsqueeze(b, 1)), {2}, false);
}

Tensor tensordot(const Tensor& a_in, const Tensor& b_in, const DimList& dims_a, const DimList& dims_b) {
  TG_CHECK(dims_a.size() == dims_b.size(), Runtime, "both dimension lists should have same length");
  Tensor a = a_in, b = b_in;
  SmallVector<bool, 6> used_a(a.dim(), false), used_b(b.dim(), false);
  DimList perm_a, perm_b;
  Shape out;
  int64_t k = 1;
  for (size_t i = 0; i < dims_a.size(); ++i) {
    const int64_t da = wrap_dim(dims_a[i], a.dim()), db = wrap_dim(dims_b[i], b.dim());
    // A contracted dim of size 1 broadcasts against the other side's: that side is summed along it
    // first, as torch does.
    if (b.size(db) == 1 && a.size(da) != 1) a = sum(a, DimList{da}, true);
    else if (a.size(da) == 1 && b.size(db) != 1) b = sum(b, DimList{db}, true);
    TG_CHECK(a.size(da) == b.size(db), Runtime, "contracted dimensions need to match, but first has size ",
             a.size(da), " in dim ", dims_a[i], " and second has size ", b.size(db), " in dim ", dims_b[i]);
    used_a[da] = used_b[db] = true;
    k *= a.size(da);
  }
  int64_t fa = 1, fb = 1;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (!used_a[d]) perm_a.push_back(d), out.push_back(a.size(d)), fa *= a.size(d);
  for (size_t i = 0; i < dims_a.size(); ++i) perm_a.push_back(wrap_dim(dims_a[i], a.dim()));
  for (size_t i = 0; i < dims_b.size(); ++i) perm_b.push_back(wrap_dim(dims_b[i], b.dim()));
  for (int64_t d = 0; d < b.dim(); ++d)
    if (!used_b[d]) perm_b.push_back(d), out.push_back(b.size(d)), fb *= b.size(d);
  const Tensor m = matrix_product(reshape(permute(a, perm_a), {fa, k}), reshape(permute(b, perm_b), {k, fb}));
  return view(m, out);
}

namespace {

Tensor tensordot_n(const Tensor& a, const Tensor& b, int64_t dims) {
  TG_CHECK(dims >= 0, Runtime, "tensordot expects dims >= 0, but got dims=", dims);
  TG_CHECK(dims <= a.dim() && dims <= b.dim(), Runtime, "tensordot expects dims < ndim_a or ndim_b, but got dims=",
           dims);
  DimList da, db;
  for (int64_t i = 0; i < dims; ++i) da.push_back(i - dims), db.push_back(i);  // PyTorch's (negative) dims
  return tensordot(a, b, da, db);
}

// ---- einsum ----
// Every label gets one id: a letter its ASCII code (so the implicit output sorts as PyTorch's),
// the ellipsis's dims kFirstEllipsis + j (right-aligned across operands).
constexpr int kFirstEllipsis = 128, kEllipsisMark = -1;
using Labels = SmallVector<int, 8>;

Labels parse_term(std::string_view s, size_t start, const std::string& what) {
  Labels t;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ') continue;
    if (c == '.') {
      TG_CHECK(s.substr(i, 3) == "..." && std::find(t.begin(), t.end(), kEllipsisMark) == t.end(), Runtime,
               "einsum(): found '.' for ", what, " that is not part of any ellipsis");
      t.push_back(kEllipsisMark), i += 2;
      continue;
    }
    TG_CHECK(std::isalpha((unsigned char)c), Runtime, "einsum(): invalid subscript given at index ", start + i,
             " in the equation string, subscripts must be in [a-zA-Z]");
    t.push_back(c);
  }
  return t;
}

bool has_ellipsis(const Labels& t) { return std::find(t.begin(), t.end(), kEllipsisMark) != t.end(); }

// The product of two aligned operands summed over `sum_dims` (kept as size 1): one bmm over
// the dims both have (batch), each one alone has, and the summed ones (PyTorch's layout).
Tensor sumproduct_pair(Tensor left, Tensor right, const SmallVector<bool, 16>& summed) {
  const int64_t n = left.dim();
  DimList lro, lo, ro, sm;
  int64_t b = 1, l = 1, r = 1, k = 1;
  for (int64_t d = 0; d < n; ++d) {
    const int64_t ls = left.size(d), rs = right.size(d);
    if (summed[d] && ls != 1 && rs != 1) {
      sm.push_back(d), k *= ls;
      continue;
    }
    if (summed[d] && ls != 1) left = sum(left, {d}, true);
    if (summed[d] && rs != 1) right = sum(right, {d}, true);
    if (summed[d] || (ls == 1 && rs == 1)) lo.push_back(d);
    else if (ls != 1 && rs != 1) lro.push_back(d), b *= ls;
    else if (ls != 1) lo.push_back(d), l *= ls;
    else ro.push_back(d), r *= rs;
  }
  if (sm.empty()) return mul(left, right);
  DimList lperm, rperm;
  Shape out;
  for (const DimList* g : {&lro, &lo, &sm, &ro})
    for (int64_t d : *g) lperm.push_back(d), out.push_back(g == &sm ? 1 : g == &ro ? right.size(d) : left.size(d));
  for (const DimList* g : {&lro, &sm, &ro, &lo})
    for (int64_t d : *g) rperm.push_back(d);
  const Tensor res = batch_matrix_product(reshape(permute(left, lperm), {b, l, k}),
                                          reshape(permute(right, rperm), {b, k, r}));
  DimList inverse(n);
  for (int64_t i = 0; i < n; ++i) inverse[lperm[i]] = i;
  return permute(view(res, out), inverse);
}

Tensor einsum(std::string_view equation, const TensorList& operands) {
  TG_CHECK(!operands.empty(), Runtime, "einsum(): must provide at least one operand");
  const size_t arrow = equation.find("->");
  const std::string_view lhs = equation.substr(0, arrow);
  std::vector<Labels> terms;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(parse_term(lhs.substr(start, comma - start), start, "operand " + std::to_string(terms.size())));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  TG_CHECK(terms.size() <= operands.size(), Runtime, "einsum(): fewer operands were provided than specified in the equation");
  TG_CHECK(terms.size() >= operands.size(), Runtime, "einsum(): more operands were provided than specified in the equation");
  // Each operand's dims as label ids; sizes agree (or are 1) across operands.
  int64_t ell = 0;
  std::vector<Labels> dims(terms.size());
  for (size_t k = 0; k < terms.size(); ++k) {
    const int64_t named = (int64_t)terms[k].size() - has_ellipsis(terms[k]), nd = operands[k].dim();
    if (has_ellipsis(terms[k]))
      TG_CHECK(named <= nd, Runtime, "einsum(): the number of subscripts in the equation (", named,
               ") is more than the number of dimensions (", nd, ") for operand ", k);
    else
      TG_CHECK(named == nd, Runtime, "einsum(): the number of subscripts in the equation (", named,
               ") does not match the number of dimensions (", nd, ") for operand ", k, " and no ellipsis was given");
    ell = std::max(ell, nd - named);
  }
  int count[256] = {0};
  int64_t size_of[256];
  for (size_t k = 0; k < terms.size(); ++k) {
    const int64_t own = operands[k].dim() - ((int64_t)terms[k].size() - has_ellipsis(terms[k]));
    for (int lab : terms[k]) {
      if (lab != kEllipsisMark) { dims[k].push_back(lab); continue; }
      for (int64_t j = 0; j < own; ++j) dims[k].push_back(kFirstEllipsis + (int)(ell - own + j));
    }
    for (size_t i = 0; i < dims[k].size(); ++i)  // a label repeated within an operand: a diagonal
      for (size_t j = i + 1; j < dims[k].size(); ++j)
        TG_CHECK(dims[k][i] != dims[k][j] || operands[k].size((int64_t)i) == operands[k].size((int64_t)j), Runtime,
                 "einsum(): subscript ", (char)dims[k][i], " is repeated for operand ", k,
                 " but the sizes don't match, ", operands[k].size((int64_t)j), " != ", operands[k].size((int64_t)i));
    for (size_t i = 0; i < dims[k].size(); ++i) {
      const int lab = dims[k][i];
      const int64_t sz = operands[k].size((int64_t)i);
      if (count[lab]++ == 0 || size_of[lab] == 1) size_of[lab] = sz;
      else if (sz != 1 && sz != size_of[lab])
        TG_ERROR(Runtime, "einsum(): subscript ", (char)lab, " has size ", sz, " for operand ", k,
                 " which does not broadcast with previously seen size ", size_of[lab]);
    }
  }
  // The output's labels, then the contracted ones.
  Labels order;
  if (arrow != std::string_view::npos) {
    const size_t start = arrow + 2;
    for (int lab : parse_term(equation.substr(start), start, "output")) {
      if (lab == kEllipsisMark) {
        for (int64_t j = 0; j < ell; ++j) order.push_back(kFirstEllipsis + (int)j);
        continue;
      }
      TG_CHECK(count[lab] > 0, Runtime, "einsum(): output subscript ", (char)lab,
               " does not appear in the equation for any input operand");
      TG_CHECK(std::find(order.begin(), order.end(), lab) == order.end(), Runtime, "einsum(): output subscript ",
               (char)lab, " appears more than once in the output");
      order.push_back(lab);
    }
  } else {
    for (int64_t j = 0; j < ell; ++j) order.push_back(kFirstEllipsis + (int)j);
    for (int lab = 0; lab < kFirstEllipsis; ++lab)
      if (count[lab] == 1) order.push_back(lab);
  }
  const size_t n_out = order.size();
  for (int lab = 0; lab < 256; ++lab)
    if (count[lab] && std::find(order.begin(), order.end(), lab) == order.end()) order.push_back(lab);
  int position[256];
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = (int)i;
  int last_op[256];
  for (size_t k = 0; k < dims.size(); ++k)
    for (int lab : dims[k]) last_op[lab] = (int)k;
  // Each operand: diagonals of repeated labels, then its dims in that order (size 1 where it
  // lacks a label when there are several operands).
  std::vector<Tensor> ops;
  for (size_t k = 0; k < terms.size(); ++k) {
    Tensor x = operands[k];
    Labels lab = dims[k];
    for (size_t i = 0; i < lab.size(); ++i)
      for (size_t j = i + 1; j < lab.size(); ++j)
        if (lab[j] == lab[i]) {
          x = diagonal(x, 0, (int64_t)i, (int64_t)j);
          const int id = lab[i];
          lab.erase(lab.begin() + j), lab.erase(lab.begin() + i), lab.push_back(id);
          i = (size_t)-1;
          break;
        }
    DimList perm;
    for (size_t i = 0; i < lab.size(); ++i) perm.push_back((int64_t)i);
    std::sort(perm.begin(), perm.end(), [&](int64_t p, int64_t q) { return position[lab[p]] < position[lab[q]]; });
    x = permute(x, perm);
    if (terms.size() > 1) {
      SmallVector<bool, 16> has(order.size(), false);
      for (int id : lab) has[position[id]] = true;
      for (size_t p = 0; p < order.size(); ++p)
        if (!has[p]) x = unsqueeze(x, (int64_t)p);
    }
    ops.push_back(x);
  }
  if (ops.size() == 1) {
    DimList contracted;
    for (size_t p = n_out; p < order.size(); ++p) contracted.push_back((int64_t)p);
    return contracted.empty() ? ops[0] : sum(ops[0], contracted, false);
  }
  Tensor result = ops[0];
  for (size_t k = 1; k < ops.size(); ++k) {
    SmallVector<bool, 16> summed(order.size(), false);
    for (size_t p = n_out; p < order.size(); ++p) summed[p] = last_op[order[p]] <= (int)k;
    result = sumproduct_pair(result, ops[k], summed);
  }
  if (n_out == order.size()) return result;
  Shape out(result.sizes().begin(), result.sizes().begin() + n_out);
  return view(result, out);
}

Tensor chain_matmul(const TensorList& matrices) {
  TG_CHECK(!matrices.empty(), Runtime, "chain_matmul(): Expected one or more matrices");
  for (const Tensor& m : matrices)
    TG_CHECK(m.dim() == 2, Runtime, "Tensor dimension is ", m.dim(), ", expected 2 instead.");
  if (matrices.size() == 1) return clone(matrices[0]);
  Tensor r = matrices[0];
  for (size_t i = 1; i < matrices.size(); ++i) r = matrix_product(r, matrices[i]);
  return view(r, r.sizes());
}

}  // namespace

void register_contraction_ops(std::vector<OpInfo>& ops) {
  register_functions(ops, {
                              {{"tensordot(Tensor a, Tensor b, int dims=2, *, Tensor? out=None)", kFunction},
                               invoke_fn<&tensordot_n>},
                              {{"einsum(str equation, Tensor[] tensors)", kFunction}, invoke_fn<&einsum>},
                              {{"chain_matmul(Tensor[] matrices, *, Tensor? out=None)", kFunction},
                               invoke_fn<&chain_matmul>},
                          });
}

}  // namespace tg
