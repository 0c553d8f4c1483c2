// CShims carries headers only; this file gives the target a translation unit.
#include "hookengine.h"
