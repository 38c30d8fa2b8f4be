//! CSV read back with the `csv` crate, by column name.

/// A CSV read back: header names and rows.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn parse(body: &[u8]) -> Table {
        let mut reader = csv::Reader::from_reader(body);
        let headers = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        Table { headers, rows }
    }

    pub fn col(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.headers))
    }

    /// The named columns of every row.
    pub fn pick(&self, names: &[&str]) -> Vec<Vec<String>> {
        let idx: Vec<usize> = names.iter().map(|n| self.col(n)).collect();
        self.rows
            .iter()
            .map(|r| idx.iter().map(|&i| r[i].clone()).collect())
            .collect()
    }
}
