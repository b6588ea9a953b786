// Stand-in (see ../README.md): tt-metalium/core_coord.hpp, the parts the
// adapter uses, with upstream's deprecated global aliases.
#pragma once

#include <cstddef>
#include <vector>

struct tt_xy_pair {
    std::size_t x = 0, y = 0;
};

namespace tt::tt_metal {

using CoreCoord = tt_xy_pair;

class CoreRange {
public:
    CoreCoord start_coord;
    CoreCoord end_coord;
    CoreRange(const CoreCoord& point) : start_coord(point), end_coord(point) {}
    CoreRange(const CoreCoord& start, const CoreCoord& end) : start_coord(start), end_coord(end) {}
};

class CoreRangeSet {
public:
    CoreRangeSet() = default;
    CoreRangeSet(const CoreRange& r) : ranges_{r} {}
    CoreRangeSet(std::vector<CoreRange>&& r) : ranges_(std::move(r)) {}
    const std::vector<CoreRange>& ranges() const { return ranges_; }

private:
    std::vector<CoreRange> ranges_;
};

}  // namespace tt::tt_metal

using CoreCoord [[deprecated("Use tt::tt_metal::CoreCoord")]] = tt::tt_metal::CoreCoord;
using CoreRange [[deprecated("Use tt::tt_metal::CoreRange")]] = tt::tt_metal::CoreRange;
using CoreRangeSet [[deprecated("Use tt::tt_metal::CoreRangeSet")]] = tt::tt_metal::CoreRangeSet;
