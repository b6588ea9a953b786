// Stand-in: see graph_tracking.hpp.
#pragma once
#include "graph_tracking.hpp"
