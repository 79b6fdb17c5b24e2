"""The links that bodies and notes cite: recorded at write time, checked politely by a periodic
task, an archived copy offered for each dead one (``extract``, ``record``, ``fetch``, ``checker``,
``policy``, ``checking``, ``wayback``, ``receivers``, ``tasks``, ``admin``)."""
