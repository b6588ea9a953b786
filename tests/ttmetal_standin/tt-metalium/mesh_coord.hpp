// Stand-in (see ../README.md): tt-metalium/mesh_coord.hpp. Only what the
// adapter reads of a MeshCoordinate: its dimensions and values, declared
// here and defined in the library, as upstream does (622c6fb9).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tt::tt_metal::distributed {

class MeshCoordinate {
public:
    explicit MeshCoordinate(uint32_t c);
    MeshCoordinate(uint32_t c0, uint32_t c1);
    MeshCoordinate(uint32_t c0, uint32_t c1, uint32_t c2);

    size_t dims() const;
    uint32_t operator[](int32_t dim) const;
    uint32_t& operator[](int32_t dim);

private:
    std::vector<uint32_t> value_;
};

}  // namespace tt::tt_metal::distributed
