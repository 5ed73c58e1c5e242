DROP TABLE election_receipts;
DROP TABLE election_tallies;
DROP TABLE election_electors;
DROP TABLE elections;
