// Levenshtein distance with a threshold that grows with the name's length: "--torch" finds
// "--pytorch" (contained), "Yrr" finds "Yr", "lnk1.mass" finds "link1.mass".
#include "thunder/util/suggest.h"

#include <algorithm>
#include <cctype>

namespace thunder {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

size_t distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

size_t edit_distance(const std::string& a, const std::string& b) { return distance(lower(a), lower(b)); }

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string n = lower(name);
  std::string best;
  size_t best_d = std::max<size_t>(2, n.size() / 3) + 1;  // farther than this is no suggestion
  for (const std::string& c : candidates) {
    const std::string l = lower(c);
    size_t d = distance(n, l);
    // One contains the other (a missing prefix such as "py"): as close as a one-letter slip.
    const std::string core = n.substr(n.find_first_not_of('-') == std::string::npos ? 0 : n.find_first_not_of('-'));
    if (core.size() >= 3 && l.find(core) != std::string::npos) d = std::min<size_t>(d, 1);
    if (d < best_d) best_d = d, best = c;
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

}  // namespace thunder
