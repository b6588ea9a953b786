// Stand-in (see ../README.md): tt-metalium/program.hpp.
#pragma once

#include <memory>
#include <span>
#include <vector>

namespace tt::tt_metal {

class CircularBuffer;
class IDevice;

class Program {
public:
    Program();
    ~Program() noexcept;
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;

    std::span<const std::shared_ptr<CircularBuffer>> circular_buffers() const;

    // Stand-in only.
    void add_circular_buffer(std::shared_ptr<CircularBuffer> cb);

private:
    std::vector<std::shared_ptr<CircularBuffer>> cbs_;
};

// Stand-in for the dispatch path: track_program on the calling thread, then
// the first time only, the CBs are placed upwards from `cb_base` on a thread
// of the library's own, each reported with track_allocate_cb on that thread.
void EnqueueProgram(IDevice* chip, Program& program, uint32_t cb_base);

}  // namespace tt::tt_metal
