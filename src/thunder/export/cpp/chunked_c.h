// Large functions of the C++ library in bounded pieces (issue 23). GCC's time on one
// straight-line function grows faster than its length (C_ddot of a quadruped: minutes for one
// file), so above a size the body of CasADi's generated eval function is replaced by calls to
// chunk functions of at most a few thousand instructions each, every chunk in its own translation
// unit: compile time is linear in the instruction count and `cmake --build -j` compiles the chunks
// of one function in parallel. Within a chunk values are locals (registers, as in CasADi's own
// file); a value a later chunk reads passes through CasADi's work vector w, stored where it is
// defined and loaded where that chunk first reads it. Everything else of CasADi's file (its
// calling convention, sparsities, _work, the header) stays: the wrapper class is unchanged.
#pragma once

#include <casadi/casadi.hpp>

#include <string>
#include <vector>

namespace thunder {

/// Functions with more instructions than this are emitted in chunks (THUNDER_CHUNK_ABOVE
/// overrides; 0 chunks every function, for tests).
long long chunk_threshold();

/// Instructions per chunk (THUNDER_CHUNK_SIZE overrides).
long long chunk_size();

/// Whether `fn` can be emitted in chunks: an SX function whose operations all print as plain C
/// (or the helpers the chunk header defines). Anything else keeps CasADi's single file.
bool chunkable(const casadi::Function& fn);

/// Rewrites CasADi's generated `c_text` of `fn` (file `symbol`.c, eval function casadi_f0 with
/// locals) so that casadi_f0 calls `symbol`_c<k>(arg, res, w) and _work asks for fn.sz_w() reals;
/// returns the chunk files' texts (`symbol`_c<k>.c). Throws std::runtime_error when c_text does
/// not have the expected shape (a CasADi version that writes something else).
std::vector<std::string> emit_chunks(const casadi::Function& fn, const std::string& symbol, std::string& c_text);

/// The signature of CasADi's eval function casadi_f0 in a generated file (with its opening brace).
extern const char* const kEvalSignature;

/// Replaces casadi_f0 (signature to its closing brace) in CasADi's file `symbol`.c by
/// `function_text`; throws std::runtime_error when the file does not have that shape.
void replace_eval(std::string& c_text, const std::string& symbol, const std::string& function_text);

/// The value a generated file's _work function gives `field` ("sz_arg", "sz_res", "sz_iw", "sz_w").
long long work_size(const std::string& c_text, const std::string& field);

/// Sets the integer and real work sizes `symbol`_work and `symbol`_work_bytes report.
void set_work(std::string& c_text, const std::string& symbol, long long sz_iw, long long sz_w);

/// Makes the scalar helpers CasADi defines with external linkage in a generated file (casadi_sq,
/// casadi_sign, casadi_fmin, ...; one copy per file, each renamed by its prefix) static. Built
/// with -fPIC into a shared library, an exported helper may be interposed, so GCC calls it through
/// the PLT instead of inlining it: every call spills the live floating-point registers (humanoid
/// FD, 57 calls of casadi_sq: 5 % of its time). Returns how many definitions it changed.
int localize_casadi_helpers(std::string& c_text);

}  // namespace thunder
