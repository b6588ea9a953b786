// Stand-in (see ../README.md): tt-metalium/mesh_device_view.hpp. A view
// answers where a chip sits on the mesh: find_device, declared here and
// defined in the library, throwing for a chip not on the mesh (upstream).
#pragma once

#include <tt-metalium/device.hpp>
#include <tt-metalium/mesh_coord.hpp>

#include <utility>
#include <vector>

namespace tt::tt_metal::distributed {

class MeshDeviceView {
public:
    // Stand-in only: the chips with their coordinates.
    explicit MeshDeviceView(std::vector<std::pair<ChipId, MeshCoordinate>> places);

    // Throws if no device corresponds to `device_id`.
    [[nodiscard]] MeshCoordinate find_device(ChipId device_id) const;

private:
    std::vector<std::pair<ChipId, MeshCoordinate>> places_;
};

}  // namespace tt::tt_metal::distributed
